"""Notifications and Messages: the list, newest first; opening an item shows
its text and marks it read."""

from __future__ import annotations

import reflex as rx

from rxapp import routes
from rxapp.components.layout import loading_status, page_shell
from rxapp.components.notice import unavailable_alert
from rxapp.state.inbox import InboxRow, MessagesState, NotificationsState
from rxapp.theme import BORDER, BRAND_BLUE, TEXT_SECONDARY, TOUCH_TARGET

UNREAD = "Non lu"


def _back_link() -> rx.Component:
    # rx.link's default hover colour (accent-8) is too pale for 4.5:1.
    return rx.link("Retourner au tableau de bord", href=routes.DASHBOARD, _hover={"color": BRAND_BLUE})


def _item(state: type[NotificationsState] | type[MessagesState], prefix: str, row: InboxRow) -> rx.Component:
    body_id = f"{prefix}-{row.item_id}"
    return rx.el.li(
        # Disclosure pattern: a heading holding a button that shows the text below it.
        rx.el.h2(
            rx.el.button(
                rx.hstack(
                    rx.el.span(row.short_day, font_weight="400", color=TEXT_SECONDARY, min_width="4.5em"),
                    rx.el.span(row.title, flex="1", min_width="0", overflow_wrap="anywhere"),
                    rx.cond(
                        row.unread,
                        rx.badge(UNREAD, color_scheme="red", variant="solid", high_contrast=True, size="2"),
                    ),
                    rx.icon(
                        rx.cond(row.expanded, "chevron-up", "chevron-down"),
                        size=20,
                        aria_hidden="true",
                        flex_shrink="0",
                    ),
                    align="center",
                    spacing="3",
                    width="100%",
                    wrap="wrap",
                ),
                type="button",
                aria_expanded=rx.cond(row.expanded, "true", "false"),
                aria_controls=body_id,
                on_click=state.open_item(row.item_id),
                width="100%",
                min_height=TOUCH_TARGET,
                padding="12px",
                text_align="left",
                background="transparent",
                border="none",
                cursor="pointer",
                color=BRAND_BLUE,
                font_weight=rx.cond(row.unread, "700", "500"),
                font_size="16px",
            ),
            margin="0",
        ),
        rx.el.div(
            rx.text("Reçu le ", row.day, size="2", color=TEXT_SECONDARY),
            rx.text(row.body, white_space="pre-line"),
            id=body_id,
            hidden=~row.expanded,
            padding="0 12px 16px",
        ),
        list_style="none",
        border_bottom=BORDER,
    )


def _inbox_page(
    state: type[NotificationsState] | type[MessagesState], heading: str, prefix: str, empty: str
) -> rx.Component:
    return page_shell(
        rx.vstack(
            rx.heading(heading, as_="h1", size="7"),
            unavailable_alert(state.unavailable, width="100%"),
            rx.cond(
                state.loaded,
                rx.cond(
                    state.items.length() > 0,
                    rx.el.ul(
                        rx.foreach(state.items, lambda row: _item(state, prefix, row)),
                        aria_label=heading,
                        padding="0",
                        margin="0",
                        width="100%",
                        border_top=BORDER,
                    ),
                    rx.text(empty),
                ),
                rx.cond(~state.unavailable, loading_status("Chargement…")),
            ),
            _back_link(),
            spacing="5",
            width="100%",
            max_width="800px",
        ),
        signed_in=True,
    )


def notifications_page() -> rx.Component:
    return _inbox_page(NotificationsState, "Notifications", "notification", "Aucune notification.")


def messages_page() -> rx.Component:
    return _inbox_page(MessagesState, "Messages", "message", "Aucun message.")
