"""Notifications and messages: listing them and opening one (which marks it read)."""

from __future__ import annotations

import dataclasses

import reflex as rx
from sqlmodel import Session

from rxapp.services import inbox
from rxapp.services.audit import ACCESS_REFUSED, security_event
from rxapp.services.formatting import format_day, format_short_day
from rxapp.state.auth import AuthState
from rxapp.state.forms import is_item_id, refuse_input
from rxapp.state.gate import insured_handler
from rxapp.state.page import InsuredPage


@dataclasses.dataclass(frozen=True)
class InboxRow:
    """What the page shows of one of the account's own items."""

    item_id: int
    day: str
    short_day: str
    title: str
    body: str
    unread: bool
    expanded: bool = False


def inbox_row(item: inbox.InboxItem) -> InboxRow:
    """The row a page shows of one notification or message (its page, the dashboard)."""
    return InboxRow(
        item_id=item.item_id,
        day=format_day(item.created_at),
        short_day=format_short_day(item.created_at),
        title=item.title,
        body=item.body,
        unread=item.unread,
    )


class InboxMixin(InsuredPage, mixin=True):
    """A list of the account's items, newest first; each state below names its services.

    A mixin, so that each page gets its own vars and handlers; the states mix
    it with `AuthState`, which provides `_current_account_id`.
    """

    items: list[InboxRow] = []

    @staticmethod
    def _lister(session: Session, account_id: int) -> list[inbox.InboxItem]:
        raise NotImplementedError

    @staticmethod
    def _marker(session: Session, account_id: int, item_id: int) -> bool:
        raise NotImplementedError

    def _forget(self) -> None:
        self.items = []
        super()._forget()

    @rx.event
    @insured_handler
    async def load(self, account_id: int):
        """on_load: re-check the session, then read the items."""
        items = await self._read(self._lister, account_id=account_id)
        self.items = [inbox_row(item) for item in items]
        self.loaded = True

    @rx.event
    @insured_handler
    async def open_item(self, account_id: int, item_id: int):
        """Show or hide an item's text; showing it marks it read.

        Any client can call this with anything: a non-int is ignored, and the
        service marks the item read only if it belongs to the session's account.
        """
        if not is_item_id(item_id):
            refuse_input(self, "open_item", "not_an_id")
            return
        index = next((i for i, row in enumerate(self.items) if row.item_id == item_id), None)
        if index is None:
            # Only a forged event names an item this page did not list (another account's, say).
            security_event(
                ACCESS_REFUSED,
                action=f"{type(self).__name__}.open_item",
                reason="item_not_listed",
                item_id=item_id,
            )
            return
        row = self.items[index]
        if row.expanded:
            updated = dataclasses.replace(row, expanded=False)
        elif await self._read(self._marker, account_id=account_id, item_id=item_id):
            updated = dataclasses.replace(row, expanded=True, unread=False)
        else:
            return
        self.items = [updated if i == index else other for i, other in enumerate(self.items)]


class NotificationsState(InboxMixin, AuthState):
    """The Notifications page."""

    @staticmethod
    def _lister(session: Session, account_id: int) -> list[inbox.InboxItem]:
        return inbox.notifications_for(session=session, account_id=account_id)

    @staticmethod
    def _marker(session: Session, account_id: int, item_id: int) -> bool:
        return inbox.mark_notification_read(session=session, account_id=account_id, item_id=item_id)


class MessagesState(InboxMixin, AuthState):
    """The Messages page (messagerie)."""

    @staticmethod
    def _lister(session: Session, account_id: int) -> list[inbox.InboxItem]:
        return inbox.messages_for(session=session, account_id=account_id)

    @staticmethod
    def _marker(session: Session, account_id: int, item_id: int) -> bool:
        return inbox.mark_message_read(session=session, account_id=account_id, item_id=item_id)
