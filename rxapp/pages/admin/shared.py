"""What the Medialog+ pages share: button style, headings, the queue link and the late mark."""

from __future__ import annotations

import reflex as rx

from rxapp.state.admin import QueueRowView
from rxapp.theme import BRAND_BLUE, ERROR_BORDER, WRAPPING_BUTTON

BUTTON = WRAPPING_BUTTON
LATE_RED = ERROR_BORDER


def heading(text, level: int = 1) -> rx.Component:
    """A page heading: level 1 for the page title, 2 and 3 for its sections."""
    sizes = {1: "7", 2: "5", 3: "4"}
    return rx.heading(text, as_=f"h{level}", size=sizes[level])


def queue_link(row: QueueRowView) -> rx.Component:
    """The affaire's reference, linking to its page."""
    return rx.link(row.reference, href=row.url, color=BRAND_BLUE, text_decoration="underline")


def late_mark(row: QueueRowView) -> rx.Component:
    """ "En retard" next to an overdue affaire, nothing otherwise."""
    return rx.cond(
        row.overdue,
        rx.el.strong("En retard", color=LATE_RED, display="block"),
    )
