"""Running text for the statement and the legal pages: sections, paragraphs, lists."""

from __future__ import annotations

import reflex as rx

from rxapp.theme import BRAND_BLUE

PROSE_WIDTH = "760px"


def prose_page(title: str, *children: rx.Component) -> rx.Component:
    """A text page's content: its h1, then its sections, in a readable column."""
    return rx.vstack(
        rx.heading(title, as_="h1", size="7"),
        *children,
        spacing="4",
        max_width=PROSE_WIDTH,
        width="100%",
    )


def section(title: str, *children: rx.Component | str, level: int = 2) -> rx.Component:
    """A titled section; plain strings become paragraphs."""
    return rx.el.section(
        rx.heading(title, as_=f"h{level}", size="5" if level == 2 else "4", margin_bottom="8px"),
        *[rx.text(child, margin_bottom="8px") if isinstance(child, str) else child for child in children],
        width="100%",
    )


def bullets(*items: rx.Component | str) -> rx.Component:
    return rx.el.ul(
        *[rx.el.li(item, margin_bottom="4px") for item in items],
        padding_left="20px",
        margin="0 0 8px",
    )


def text_link(text: str, href: str) -> rx.Component:
    """A link inside running text: underlined, so that it is told apart from the words around it."""
    return rx.link(text, href=href, color=BRAND_BLUE, text_decoration="underline")
