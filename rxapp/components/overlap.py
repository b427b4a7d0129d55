"""The conflict dialog, the app's banner (encadré) and the exclusion notice."""

from __future__ import annotations

import reflex as rx

from rxapp import routes
from rxapp.components.notice import callout
from rxapp.state.dashboard import DashboardState, EligibilityStatus
from rxapp.theme import BOX_PADDING, BRAND_BLUE, BRAND_BLUE_TINT, BUTTON, RADIUS, TOUCH_TARGET

BLOCKED = (
    "La transmission automatique des remboursements vers votre complémentaire est bloquée. "
    "Sélectionnez l'une de vos complémentaires pour l'activer."
)


def conflict_dialog() -> rx.Component:
    """A real modal: focus moves in and stays in, Esc acts as "Plus tard"."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Votre complémentaire santé"),
            rx.dialog.description(BLOCKED),
            rx.flex(
                rx.button("Plus tard", variant="outline", on_click=DashboardState.later, **BUTTON),
                rx.button("Sélectionner", on_click=DashboardState.select, background=BRAND_BLUE, **BUTTON),
                gap="12px",
                justify="end",
                wrap="wrap",
                margin_top="20px",
            ),
            aria_modal="true",
            max_width="520px",
        ),
        open=DashboardState.show_dialog,
        on_open_change=DashboardState.dialog_open_change,
    )


def overlap_banner() -> rx.Component:
    return rx.cond(
        DashboardState.show_banner,
        rx.el.section(
            rx.flex(
                rx.box(
                    rx.heading("Votre complémentaire santé", as_="h2", size="4"),
                    rx.text(
                        "La transmission automatique des remboursements vers votre complémentaire est bloquée."
                    ),
                    rx.link(
                        "Je sélectionne ma complémentaire",
                        href=routes.SELECTION,
                        weight="bold",
                        display="inline-block",
                        padding_y="10px",
                    ),
                    flex="1",
                ),
                rx.icon_button(
                    rx.icon("x", aria_hidden="true"),
                    variant="ghost",
                    aria_label="Fermer l'encadré",
                    on_click=DashboardState.close_banner,
                    size="3",
                    min_width=TOUCH_TARGET,
                    min_height=TOUCH_TARGET,
                ),
                gap="12px",
                align="start",
            ),
            aria_label="Complémentaire santé : transmission bloquée",
            border=f"2px solid {BRAND_BLUE}",
            border_radius=RADIUS,
            padding=BOX_PADDING,
            background=BRAND_BLUE_TINT,
            margin_y="16px",
        ),
    )


def overlap_notice() -> rx.Component:
    """For the excluded (call the CPAM) and for a request being processed."""
    return rx.cond(
        DashboardState.overlap_notice,
        callout(
            DashboardState.overlap_notice,
            icon="info",
            color_scheme=rx.cond(
                DashboardState.overlap_status == EligibilityStatus.EXCLUDED, "amber", "blue"
            ),
            role="status",
            margin_y="16px",
        ),
    )
