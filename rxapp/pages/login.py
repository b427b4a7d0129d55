"""Login page: "J'accède à mon compte ameli"."""

from __future__ import annotations

import reflex as rx

from rxapp import routes
from rxapp.components.forms import all_required_notice, sign_in_button, sign_in_form, text_field
from rxapp.components.franceconnect import franceconnect_button
from rxapp.components.layout import page_shell
from rxapp.components.notice import callout
from rxapp.state.login import LoginState
from rxapp.theme import BRAND_BLUE, TOUCH_TARGET


def login_page() -> rx.Component:
    return page_shell(
        rx.vstack(
            rx.heading("J'accède à mon compte ameli", as_="h1", size="7"),
            sign_in_form(
                rx.vstack(
                    all_required_notice(),
                    text_field(
                        "Numéro de sécurité sociale",
                        "nir",
                        required=True,
                        hint="13 chiffres, ou 15 avec la clé (les espaces sont acceptés)",
                        auto_complete="username",
                        placeholder="1 74 11 71 270 102",
                    ),
                    rx.link("Où trouver mon numéro de sécurité sociale ?", href=routes.HELP_NIR),
                    text_field(
                        "Code", "code", type="password", auto_complete="current-password", required=True
                    ),
                    rx.link("Code oublié ?", href=routes.HELP_CODE),
                    rx.cond(
                        LoginState.error,
                        callout(
                            LoginState.error,
                            icon="triangle_alert",
                            color_scheme="red",
                            role="alert",
                            width="100%",
                        ),
                    ),
                    sign_in_button(
                        "Me connecter",
                        size="3",
                        width="100%",
                        min_height=TOUCH_TARGET,
                        background=BRAND_BLUE,
                    ),
                    spacing="4",
                    width="100%",
                ),
                on_submit=LoginState.submit,
            ),
            rx.text("OU", weight="bold", align="center", width="100%"),
            rx.cond(
                LoginState.franceconnect_error,
                callout(
                    LoginState.franceconnect_error, icon="triangle_alert", color_scheme="red", role="alert"
                ),
            ),
            franceconnect_button(),
            rx.link("Qu'est-ce que FranceConnect ?", href=routes.HELP_FRANCECONNECT),
            spacing="5",
            max_width="440px",
            width="100%",
            margin_x="auto",
        )
    )
