"""The insured's dashboard (tableau de bord), the conflict dialog and the banner."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses

import reflex as rx
from sqlalchemy.exc import SQLAlchemyError

from rxapp import routes
from rxapp.db import session_scope
from rxapp.services import teleservice
from rxapp.services.account import DashboardView, dashboard_for
from rxapp.services.auth import account_for_session
from rxapp.services.inbox import InboxItem, notifications_for, processed_request_notice, unread_counts
from rxapp.state.auth import SERVICE_UNAVAILABLE, AuthState
from rxapp.state.selection import status_notice

WATCH_PERIOD_SECONDS = 3


@dataclasses.dataclass
class PaymentRow:
    day: str
    label: str
    beneficiary: str
    amount: str
    transmitted: bool


@dataclasses.dataclass
class InboxRow:
    short_day: str
    title: str
    body: str


def _dashboard(session_id: str) -> DashboardView | None:
    with session_scope() as session:
        return dashboard_for(session=session, session_id=session_id)


def _notifications(session_id: str) -> tuple[int, list[InboxItem]] | None:
    with session_scope() as session:
        account = account_for_session(session=session, session_id=session_id)
        if account is None or account.id is None:
            return None
        unread, _ = unread_counts(session=session, account_id=account.id)
        return unread, notifications_for(session=session, account_id=account.id, limit=2)


def _dismiss(session_id: str, prompt: str) -> bool:
    with session_scope() as session:
        return teleservice.dismiss_prompt(session=session, session_id=session_id, prompt=prompt)


class DashboardState(AuthState):
    _watching: bool = False
    display_name: str = ""
    last_connection: str = ""
    unavailable: str = ""
    payments: list[PaymentRow] = []
    notifications: list[InboxRow] = []
    messages: list[InboxRow] = []
    unread_notifications: int = 0
    unread_messages: int = 0
    show_dialog: bool = False
    show_banner: bool = False
    overlap_status: str = ""
    overlap_notice: str = ""
    processed_notice: str = ""

    @rx.event
    async def load(self):
        """on_load: re-check the session, then read what the page shows."""
        if not self.session_id:
            return rx.redirect(routes.LOGIN)
        try:
            view = await asyncio.to_thread(_dashboard, self.session_id)
        except SQLAlchemyError:
            self.unavailable = SERVICE_UNAVAILABLE
            return None
        self.unavailable = ""
        if view is None:
            self.display_name = ""
            return rx.redirect(routes.LOGIN)
        self.display_name = view.greeting.display_name
        self.last_connection = view.greeting.last_connection
        self.payments = [
            PaymentRow(p.paid_on, p.label, p.beneficiary, p.amount, p.transmitted_to_oc)
            for p in view.payments
        ]
        self.notifications = [InboxRow(n.short_day, n.title, n.body) for n in view.notifications]
        self.processed_notice = processed_request_notice(view.notifications)
        self.messages = [InboxRow(m.short_day, m.title, m.body) for m in view.messages]
        self.unread_notifications = view.unread_notifications
        self.unread_messages = view.unread_messages
        self.show_dialog = view.show_dialog
        self.show_banner = view.show_banner
        status, notice = status_notice(view.situation)
        self.overlap_status = status if status in {"pending", "excluded"} else ""
        self.overlap_notice = notice
        return DashboardState.watch_notifications

    @rx.event(background=True)
    async def watch_notifications(self):
        """While the dashboard stays open, show new notifications without a reload."""
        async with self:
            if self._watching:
                return
            self._watching = True
        try:
            while True:
                await asyncio.sleep(WATCH_PERIOD_SECONDS)
                async with self:
                    if self.router.url.path.rstrip("/") != routes.DASHBOARD or not self.session_id:
                        return
                    session_id, known = self.session_id, self.unread_notifications
                try:
                    inbox = await asyncio.to_thread(_notifications, session_id)
                except SQLAlchemyError:
                    continue
                if inbox is None:
                    return
                unread, latest = inbox
                if unread != known:
                    async with self:
                        self.unread_notifications = unread
                        self.notifications = [InboxRow(n.short_day, n.title, n.body) for n in latest]
                        self.processed_notice = processed_request_notice(latest)
        finally:
            async with self:
                self._watching = False

    async def _dismiss(self, prompt: str) -> None:
        # On a database error the prompt still closes; it may come back on the next page load.
        if self.session_id:
            with contextlib.suppress(SQLAlchemyError):
                await asyncio.to_thread(_dismiss, self.session_id, prompt)

    @rx.event
    async def later(self):
        """ "Plus tard" (or Esc): close the dialog until the next login."""
        self.show_dialog = False
        await self._dismiss(teleservice.Prompt.DIALOG)

    @rx.event
    async def dialog_open_change(self, is_open: bool):
        """Esc or a click outside the dialog act as "Plus tard"."""
        if is_open is False and self.show_dialog:
            self.show_dialog = False
            await self._dismiss(teleservice.Prompt.DIALOG)

    @rx.event
    async def select(self):
        """ "Sélectionner": to the selection; the dialog does not come back this login."""
        self.show_dialog = False
        await self._dismiss(teleservice.Prompt.DIALOG)
        return rx.redirect(routes.SELECTION)

    @rx.event
    async def close_banner(self):
        """The banner's close button: hidden until the next login."""
        self.show_banner = False
        await self._dismiss(teleservice.Prompt.BANNER)
