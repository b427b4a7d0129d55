"""Form fields shared by the insured and agent forms."""

from __future__ import annotations

import reflex as rx

from rxapp.theme import TEXT_HINT

ALL_REQUIRED = "Tous les champs sont obligatoires."


def all_required_notice() -> rx.Component:
    """Said before a form whose fields are all required (RGAA 11.10), instead of a mark on each."""
    return rx.text(ALL_REQUIRED, size="2", color=TEXT_HINT)


def text_field(
    label: str, field_id: str, *, hint: str | None = None, required: bool = False, **input_props
) -> rx.Component:
    """A labelled input; the hint, when given, is tied to it by aria-describedby.

    The input's `name` defaults to its id (the key in the form's data). A `required` field says
    so to assistive technologies (aria-required); the server still checks it and says what is
    missing, in French, instead of the browser's own bubble.
    """
    if required:
        input_props.setdefault("aria_required", "true")
    hint_id = f"{field_id}-aide"
    input_props.setdefault("name", field_id)
    return rx.vstack(
        rx.el.label(label, html_for=field_id, font_weight="600"),
        rx.text(hint, id=hint_id, size="2", color=TEXT_HINT) if hint else rx.fragment(),
        rx.input(
            id=field_id,
            size="3",
            width="100%",
            aria_describedby=hint_id if hint else None,
            **input_props,
        ),
        spacing="1",
        width="100%",
    )


def sign_in_form(*children: rx.Component, on_submit: rx.EventHandler) -> rx.Component:
    """A form that carries a secret (a code, a password), on a page served before the app runs.

    Its submit button (`sign_in_button`) stays disabled until the page is connected to the
    server: pressed earlier, or with Enter in a field, the browser would submit the form itself,
    and the secret would go into the page's address, the history and the server logs. Should a
    browser submit it anyway, `post` keeps the fields out of the address.
    """
    return rx.form(*children, on_submit=on_submit, reset_on_submit=False, method="post", width="100%")


def sign_in_button(label: str, **props) -> rx.Component:
    """The submit button of a `sign_in_form`: enabled once the page is connected (hydrated)."""
    return rx.button(label, type="submit", disabled=~rx.State.is_hydrated, **props)
