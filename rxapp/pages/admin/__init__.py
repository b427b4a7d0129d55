"""Medialog+ pages, one module per page: login, queue of affaires, one affaire, supervision, simulation."""

from rxapp.pages.admin.affaire import admin_affaire_page, affaire_title
from rxapp.pages.admin.login import admin_login_page
from rxapp.pages.admin.queue import admin_queue_page
from rxapp.pages.admin.simulation import admin_simulation_page
from rxapp.pages.admin.supervision import admin_supervision_page

__all__ = [
    "admin_affaire_page",
    "admin_login_page",
    "admin_queue_page",
    "admin_simulation_page",
    "admin_supervision_page",
    "affaire_title",
]
