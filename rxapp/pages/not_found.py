"""The page shown at an unknown address, in the insured pages' frame."""

from __future__ import annotations

import reflex as rx

from rxapp import routes
from rxapp.components.layout import page_shell

TITLE = "Page introuvable"
DESCRIPTION = "La page demandée n'existe pas ou a été déplacée."
LINKS = (
    ("Retourner à l'accueil de votre compte", routes.DASHBOARD),
    ("J'accède à mon compte ameli", routes.LOGIN),
    ("Espace agents Medialog+", routes.ADMIN_LOGIN),
)


def not_found_page() -> rx.Component:
    """What Reflex shows at any address no page has: where to go instead."""
    return page_shell(
        rx.vstack(
            rx.heading(TITLE, as_="h1", size="7"),
            rx.text(DESCRIPTION, " Vérifiez l'adresse, ou repartez de l'une de ces pages :"),
            rx.el.ul(
                *[
                    rx.el.li(rx.link(text, href=href, display="inline-block", padding_y="10px"))
                    for text, href in LINKS
                ],
                padding_left="18px",
                margin="0",
            ),
            spacing="4",
            max_width="720px",
        )
    )
