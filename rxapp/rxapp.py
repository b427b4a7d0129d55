"""The Reflex app: pages and routes."""

from __future__ import annotations

import reflex as rx

import rxapp.models  # noqa: F401 - every table registered before anything queries
from rxapp import routes
from rxapp.pages.dashboard import dashboard_page
from rxapp.pages.help import HELP_PAGES, help_page
from rxapp.pages.login import login_page
from rxapp.state.dashboard import DashboardState

SITE = "Compte ameli"

app = rx.App(
    stylesheets=["/styles.css"],
    html_lang="fr",
)

app.add_page(login_page, route=routes.LOGIN, title=f"J'accède à mon compte ameli | {SITE}")
app.add_page(
    dashboard_page,
    route=routes.DASHBOARD,
    title=f"Tableau de bord | {SITE}",
    on_load=DashboardState.load,
)
for route, (heading, _) in HELP_PAGES.items():
    app.add_page(lambda route=route: help_page(route), route=route, title=f"{heading} | {SITE}")
