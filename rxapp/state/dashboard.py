"""The insured's dashboard (tableau de bord), the conflict dialog and the banner."""

from __future__ import annotations

import asyncio
import contextlib

import reflex as rx
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from rxapp import routes
from rxapp.services import teleservice
from rxapp.services.account import dashboard_for
from rxapp.services.eligibility import EligibilityStatus
from rxapp.services.inbox import InboxItem, notifications_for, processed_request_notice, unread_counts
from rxapp.services.session_expiry import live_account_id
from rxapp.state.auth import AuthState, idle_timeout
from rxapp.state.gate import SERVICE_UNAVAILABLE, in_session, insured_handler
from rxapp.state.inbox import InboxRow, inbox_row
from rxapp.state.payments import PaymentRow, payment_row
from rxapp.state.selection import status_notice

WATCH_PERIOD_SECONDS = 3


def _notifications(*, session: Session, session_id: str) -> tuple[int, list[InboxItem]] | None:
    # Read without restarting the idle clock: an open dashboard must not keep an idle session alive.
    account_id = live_account_id(session=session, session_id=session_id, idle_timeout=idle_timeout())
    if account_id is None:
        return None
    unread, _ = unread_counts(session=session, account_id=account_id)
    return unread, notifications_for(session=session, account_id=account_id, limit=2)


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

    def _forget(self) -> None:
        self.display_name = ""
        self.show_dialog = False
        self.show_banner = False

    def _show_unavailable(self) -> None:
        self.unavailable = SERVICE_UNAVAILABLE

    @rx.event
    @insured_handler
    async def load(self, _account_id: int):
        """on_load: re-check the session, then read what the page shows."""
        view = await in_session(dashboard_for, session_id=self._session_id())
        self.unavailable = ""
        if view is None:  # the session ended between the gate and the read
            self._forget()
            return rx.redirect(routes.LOGIN)
        self.display_name = view.greeting.display_name
        self.last_connection = view.greeting.last_connection
        self.payments = [payment_row(line) for line in view.payments]
        self.notifications = [inbox_row(item) for item in view.notifications]
        self.processed_notice = processed_request_notice(view.notifications)
        self.messages = [inbox_row(item) for item in view.messages]
        self.unread_notifications = view.unread_notifications
        self.unread_messages = view.unread_messages
        self.show_dialog = view.show_dialog
        self.show_banner = view.show_banner
        status, notice = status_notice(view.situation)
        shown = status in {EligibilityStatus.PENDING, EligibilityStatus.EXCLUDED}
        self.overlap_status = status if shown else ""
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
                    if self.router.url.path.rstrip("/") != routes.DASHBOARD or not self._session_id():
                        return
                    session_id, known = self._session_id(), self.unread_notifications
                try:
                    inbox = await in_session(_notifications, session_id=session_id)
                except SQLAlchemyError:
                    continue
                if inbox is None:
                    return
                unread, latest = inbox
                if unread != known:
                    async with self:
                        self.unread_notifications = unread
                        self.notifications = [inbox_row(item) for item in latest]
                        self.processed_notice = processed_request_notice(latest)
        finally:
            async with self:
                self._watching = False

    async def _dismiss(self, prompt: str) -> None:
        # Best effort: on a database error the prompt still closes; it may come back on the next load.
        with contextlib.suppress(SQLAlchemyError):
            await in_session(teleservice.dismiss_prompt, session_id=self._session_id(), prompt=prompt)

    @rx.event
    @insured_handler
    async def later(self, _account_id: int):
        """ "Plus tard" (or Esc): close the dialog until the next login."""
        self.show_dialog = False
        await self._dismiss(teleservice.Prompt.DIALOG)

    @rx.event
    @insured_handler
    async def dialog_open_change(self, _account_id: int, is_open: bool):
        """Esc or a click outside the dialog act as "Plus tard"."""
        if is_open is False and self.show_dialog:
            self.show_dialog = False
            await self._dismiss(teleservice.Prompt.DIALOG)

    @rx.event
    @insured_handler
    async def select(self, _account_id: int):
        """ "Sélectionner": to the selection; the dialog does not come back this login."""
        self.show_dialog = False
        await self._dismiss(teleservice.Prompt.DIALOG)
        return rx.redirect(routes.SELECTION)

    @rx.event
    @insured_handler
    async def close_banner(self, _account_id: int):
        """The banner's close button: hidden until the next login."""
        self.show_banner = False
        await self._dismiss(teleservice.Prompt.BANNER)
