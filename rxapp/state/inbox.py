"""Notifications and messages: listing them and opening one (which marks it read)."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable

import reflex as rx
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from rxapp import routes
from rxapp.db import session_scope
from rxapp.services import inbox
from rxapp.services.audit import ACCESS_REFUSED, security_event
from rxapp.state.auth import SERVICE_UNAVAILABLE, AuthState


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


Lister = Callable[..., list[inbox.InboxItem]]
Marker = Callable[..., bool]


def _rows(lister: Lister, account_id: int) -> list[InboxRow]:
    with session_scope() as session:
        return [
            InboxRow(
                item_id=item.item_id,
                day=item.day,
                short_day=item.short_day,
                title=item.title,
                body=item.body,
                unread=item.unread,
            )
            for item in lister(session=session, account_id=account_id)
        ]


def _mark(marker: Marker, account_id: int, item_id: int) -> bool:
    with session_scope() as session:
        return marker(session=session, account_id=account_id, item_id=item_id)


class InboxMixin(rx.State, mixin=True):
    """A list of the account's items, newest first; each state below names its services.

    A mixin, so that each page gets its own vars and handlers; the states mix
    it with `AuthState`, which provides `_current_account_id`.
    """

    items: list[InboxRow] = []
    loaded: bool = False
    unavailable: str = ""

    @staticmethod
    def _lister(session: Session, account_id: int) -> list[inbox.InboxItem]:
        raise NotImplementedError

    @staticmethod
    def _marker(session: Session, account_id: int, item_id: int) -> bool:
        raise NotImplementedError

    @rx.event
    async def load(self):
        """on_load: re-check the session, then read the items."""
        try:
            account_id = await self._current_account_id()
            rows = await asyncio.to_thread(_rows, self._lister, account_id) if account_id else None
        except SQLAlchemyError:
            self.unavailable = SERVICE_UNAVAILABLE
            return None
        self.unavailable = ""
        if rows is None:
            self.items = []
            self.loaded = False
            return rx.redirect(routes.LOGIN)
        self.items = rows
        self.loaded = True
        return None

    @rx.event
    async def open_item(self, item_id: int):
        """Show or hide an item's text; showing it marks it read.

        Any client can call this with anything: a non-int is ignored, the
        session is checked again, and the service marks the item read only if
        it belongs to the session's account.
        """
        if not isinstance(item_id, int) or isinstance(item_id, bool):
            return None
        index = next((i for i, row in enumerate(self.items) if row.item_id == item_id), None)
        if index is None:
            # Only a forged event names an item this page did not list (another account's, say).
            security_event(
                ACCESS_REFUSED,
                action=f"{type(self).__name__}.open_item",
                reason="item_not_listed",
                item_id=item_id,
            )
            return None
        try:
            account_id = await self._current_account_id()
            if account_id is None:
                self.items = []
                self.loaded = False
                return rx.redirect(routes.LOGIN)
            row = self.items[index]
            if row.expanded:
                updated = dataclasses.replace(row, expanded=False)
            elif await asyncio.to_thread(_mark, self._marker, account_id, item_id):
                updated = dataclasses.replace(row, expanded=True, unread=False)
            else:
                return None
        except SQLAlchemyError:
            self.unavailable = SERVICE_UNAVAILABLE
            return None
        self.unavailable = ""
        self.items = [updated if i == index else other for i, other in enumerate(self.items)]
        return None


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
