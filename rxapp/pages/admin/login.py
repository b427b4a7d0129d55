"""The agents' login page."""

from __future__ import annotations

import reflex as rx

from rxapp.components.admin import agent_shell, error_alert
from rxapp.components.forms import all_required_notice, sign_in_button, sign_in_form, text_field
from rxapp.pages.admin.shared import heading
from rxapp.state.admin import AgentLoginState
from rxapp.theme import BRAND_BLUE


def admin_login_page() -> rx.Component:
    """The agents' login form."""
    return agent_shell(
        rx.vstack(
            heading("Espace agents Medialog+"),
            rx.text("Connectez-vous avec l'identifiant et le mot de passe de votre poste."),
            sign_in_form(
                rx.vstack(
                    all_required_notice(),
                    text_field(
                        "Identifiant", "identifiant", name="login", auto_complete="username", required=True
                    ),
                    text_field(
                        "Mot de passe",
                        "mot-de-passe",
                        name="password",
                        type="password",
                        auto_complete="current-password",
                        required=True,
                    ),
                    error_alert(AgentLoginState.error),
                    sign_in_button(
                        "Se connecter",
                        size="3",
                        width="100%",
                        min_height="44px",
                        background=BRAND_BLUE,
                    ),
                    spacing="4",
                    width="100%",
                ),
                on_submit=AgentLoginState.submit,
            ),
            spacing="5",
            max_width="440px",
            width="100%",
            margin_x="auto",
        ),
        signed_in=False,
    )
