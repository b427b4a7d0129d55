"""The installable app: what every page's <head> carries to link the manifest and
register the service worker (the files themselves are in assets/)."""

from __future__ import annotations

import reflex as rx

from rxapp import routes
from rxapp.theme import BRAND_BLUE

APPLE_TOUCH_ICON = "/icons/apple-touch-icon.png"
REGISTRATION_SCRIPT = "/register-sw.js"


def head_components() -> list[rx.Component]:
    """The manifest link, theme colour, apple-touch-icon and the service worker's registration."""
    return [
        rx.el.link(rel="manifest", href=routes.MANIFEST),
        rx.el.meta(name="theme-color", content=BRAND_BLUE),
        rx.el.meta(name="apple-mobile-web-app-title", content="ameli"),
        rx.el.link(rel="apple-touch-icon", href=APPLE_TOUCH_ICON),
        rx.el.script(src=REGISTRATION_SCRIPT, async_=True),
    ]
