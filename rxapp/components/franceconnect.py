"""The FranceConnect button, drawn after FranceConnect's published design.

A dark blue block with "S'identifier avec" above a bold "FranceConnect". It is a
plain link (a full page load): the login starts on the server, at
`routes.FRANCECONNECT_LOGIN`, not in the single-page router.
"""

from __future__ import annotations

import reflex as rx

from rxapp import routes
from rxapp.theme import TOUCH_TARGET

# FranceConnect's own colours (its button design): 16:1 and more for white text on them.
FRANCECONNECT_BLUE = "#000091"
FRANCECONNECT_BLUE_HOVER = "#1212ff"


def franceconnect_button() -> rx.Component:
    """The "S'identifier avec FranceConnect" button, as a link to the login route."""
    return rx.el.a(
        rx.el.span("S'identifier avec ", style={"display": "block", "font_size": "0.95rem"}),
        rx.el.span("FranceConnect", style={"display": "block", "font_size": "1.15rem", "font_weight": "700"}),
        href=routes.FRANCECONNECT_LOGIN,
        reload_document=True,  # rx.el.a is a router link: this makes it a real page load
        style={
            "display": "block",
            "width": "100%",
            "min_height": TOUCH_TARGET,
            "padding": "10px 16px",
            "text_align": "center",
            "line_height": "1.3",
            "color": "#ffffff",
            "background": FRANCECONNECT_BLUE,
            "border_radius": "4px",
            "text_decoration": "none",
            "_hover": {"background": FRANCECONNECT_BLUE_HOVER},
            "_focus_visible": {"outline": f"3px solid {FRANCECONNECT_BLUE}", "outline_offset": "2px"},
        },
    )
