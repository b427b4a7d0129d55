"""French, accessible replacements for what Reflex wraps around every page.

Reflex's defaults speak English to visitors: the "Cannot connect to server" toast (with its
pulsing icon titled "Connection Error") and the error boundary's "An error occurred while
rendering this page". These wraps take their places in `App.app_wraps`, under the same keys.
"""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx
from reflex.components.base.error_boundary import ErrorBoundary
from reflex.components.core.banner import has_connection_errors
from reflex.event import noop
from reflex.vars.function import FunctionStringVar

from rxapp.components.layout import INSURED_SITE
from rxapp.theme import BRAND_BLUE, BUTTON_RADIUS, ERROR_BORDER, TEXT, TEXT_SECONDARY, TOUCH_TARGET

CONNECTION_LOST = "Connexion au serveur perdue, nouvelle tentative…"
ERROR_TITLE = "Une erreur est survenue"
ERROR_TEXT = (
    "Cette page n'a pas pu s'afficher. Rechargez-la ; si le problème continue, "
    "réessayez dans quelques instants."
)
RELOAD = "Recharger la page"

# Plain JavaScript: the boundary's fallback must work when the app's own event loop is what failed.
_reload = FunctionStringVar.create("() => window.location.reload()")


def connection_banner() -> rx.Component:
    """A polite live region, always in the page, that says so while the server is unreachable.

    Reflex retries the connection by itself; the text goes away when it is back. A fragment:
    Reflex puts the whole app inside a wrap, after the region.
    """
    region = rx.el.div(
        rx.cond(
            has_connection_errors,
            rx.el.p(
                CONNECTION_LOST,
                margin="0",
                padding="12px 16px",
                background=ERROR_BORDER,
                color="white",
                font_weight="700",
                text_align="center",
            ),
        ),
        role="status",
        aria_live="polite",
        position="fixed",
        top="0",
        left="0",
        width="100%",
        z_index="9999",
    )
    return rx.fragment(region)


def error_fallback() -> rx.Component:
    """What replaces the page when rendering it raised in the browser."""
    return rx.el.div(
        rx.el.title(f"{ERROR_TITLE} | {INSURED_SITE}"),  # the page's own <title> went with it
        rx.el.h1(ERROR_TITLE, font_size="28px", margin="0 0 12px", color=TEXT),
        rx.el.p(ERROR_TEXT, margin="0 0 20px", color=TEXT_SECONDARY),
        rx.el.button(
            RELOAD,
            type="button",
            on_click=_reload,
            min_height=TOUCH_TARGET,
            padding="10px 16px",
            border_radius=BUTTON_RADIUS,
            border=f"1px solid {BRAND_BLUE}",
            background=BRAND_BLUE,
            color="white",
            font_size="16px",
            font_weight="500",
            cursor="pointer",
        ),
        role="alert",
        max_width="640px",
        margin="48px auto",
        padding="0 16px",
        font_family="system-ui, sans-serif",
    )


def error_boundary(*children: rx.Component, **props) -> rx.Component:
    """Reflex's error boundary (it still reports the error to the backend), with the French fallback."""
    return ErrorBoundary.create(*children, fallback_render=error_fallback(), **props)


def french_app_wraps() -> dict[tuple[int, str], Callable[[bool], rx.Component | None]]:
    """The entries of `App.app_wraps` to replace, under Reflex's own keys and orders."""
    return {
        (55, "ErrorBoundary"): lambda stateful: error_boundary(**({} if stateful else {"on_error": noop()})),
        (5, "Overlay"): lambda stateful: connection_banner() if stateful else None,
    }
