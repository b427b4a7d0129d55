"""The stepper of the teleservice (DSFR pattern): not a navigation control."""

from __future__ import annotations

import reflex as rx

from rxapp.theme import BRAND_BLUE, TEXT_SECONDARY

STEPS = ("Sélection de l'organisme", "Récapitulatif")


def _step_marker(number: int, title: str, current: int) -> rx.Component:
    done, active = number < current, number == current
    return rx.el.li(
        rx.el.span(
            "✓" if done else str(number),
            aria_hidden="true",
            display="inline-flex",
            align_items="center",
            justify_content="center",
            width="28px",
            height="28px",
            border_radius="50%",
            background=BRAND_BLUE if (done or active) else "white",
            color="white" if (done or active) else BRAND_BLUE,
            border=f"2px solid {BRAND_BLUE}",
            font_weight="700",
            flex_shrink="0",
        ),
        rx.el.span(title, font_weight="700" if active else "400"),
        rx.el.span(" (terminée)" if done else "", class_name="sr-only"),
        aria_current="step" if active else None,
        display="flex",
        align_items="center",
        gap="8px",
    )


def stepper(current: int) -> rx.Component:
    """`Étape 1 sur 2`, the step's title, the next step, and the two markers."""
    title = STEPS[current - 1]
    following = STEPS[current] if current < len(STEPS) else None
    return rx.box(
        rx.heading(
            rx.el.span(
                f"Étape {current} sur {len(STEPS)}", display="block", font_size="14px", color=TEXT_SECONDARY
            ),
            title,
            as_="h2",
            size="5",
        ),
        rx.el.ol(
            *[_step_marker(number, step, current) for number, step in enumerate(STEPS, start=1)],
            aria_label="Étapes de la démarche",
            display="flex",
            flex_wrap="wrap",
            gap="8px 24px",
            list_style="none",
            padding="0",
            margin="12px 0 8px",
        ),
        rx.text(f"Étape suivante : {following}", size="2", color=TEXT_SECONDARY)
        if following
        else rx.fragment(),
        margin_y="16px",
    )
