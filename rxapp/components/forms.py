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
