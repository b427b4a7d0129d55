"""The insured's dashboard (tableau de bord)."""

from __future__ import annotations

import reflex as rx

from rxapp.components.layout import page_shell
from rxapp.state.dashboard import DashboardState


def dashboard_page() -> rx.Component:
    return page_shell(
        rx.cond(
            DashboardState.unavailable,
            rx.callout(DashboardState.unavailable, color_scheme="red", role="alert"),
        ),
        rx.cond(
            DashboardState.display_name,
            rx.vstack(
                rx.heading("Bonjour ", DashboardState.display_name, as_="h1", size="7"),
                rx.cond(
                    DashboardState.last_connection,
                    rx.text("Dernière connexion : ", DashboardState.last_connection),
                ),
                spacing="3",
            ),
            rx.cond(
                ~DashboardState.unavailable,
                rx.text("Chargement de votre compte…", role="status"),
            ),
        ),
        signed_in=True,
    )
