"""The insured's dashboard (tableau de bord), the conflict dialog and the banner."""

from __future__ import annotations

import contextlib

import reflex as rx
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from rxapp import routes
from rxapp.live_updates import OPEN_DASHBOARDS
from rxapp.services import teleservice
from rxapp.services.account import DashboardView, dashboard_of
from rxapp.services.eligibility import EligibilityStatus
from rxapp.services.formatting import format_greeting_name, format_moment
from rxapp.services.inbox import InboxItem, notifications_for, processed_request_notice, unread_counts
from rxapp.state.auth import AuthState
from rxapp.state.gate import SERVICE_UNAVAILABLE, in_session, insured_handler
from rxapp.state.inbox import InboxRow, inbox_row
from rxapp.state.payments import PaymentRow, payment_row
from rxapp.state.selection import status_notice


def _notifications(*, session: Session, account_id: int) -> tuple[int, list[InboxItem]]:
    unread, _ = unread_counts(session=session, account_id=account_id)
    return unread, notifications_for(session=session, account_id=account_id, limit=2)


class DashboardState(AuthState):
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
    @insured_handler(read=dashboard_of)
    async def load(self, account_id: int, view: DashboardView | None):
        """on_load: re-check the session and read what the page shows, in one transaction; new
        notifications are then pushed to it (`refresh_notifications`), never polled."""
        self.unavailable = ""
        if view is None:  # not an insured session's account
            self._forget()
            return rx.redirect(routes.LOGIN)
        self.display_name = format_greeting_name(view.greeting.first_name, view.greeting.last_name)
        self.last_connection = format_moment(view.greeting.last_connection)
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
        OPEN_DASHBOARDS.register(self.router.session.client_token, account_id)

    @rx.event
    @insured_handler(on_outage=lambda _state: None)  # the dashboard keeps what it shows
    async def refresh_notifications(self, account_id: int):
        """Sent to the open dashboard when its account got a notification (rxapp/live_updates.py).

        The browser sends it back like a click: the gate re-checks the session, and only
        that session's account is read, whatever the signal said.
        """
        if self.router.url.path.rstrip("/") != routes.DASHBOARD:
            OPEN_DASHBOARDS.forget(self.router.session.client_token)  # the tab left the dashboard
            return
        OPEN_DASHBOARDS.register(self.router.session.client_token, account_id)  # the tab's session now
        unread, latest = await in_session(_notifications, account_id=account_id)
        self.unavailable = ""
        self.unread_notifications = unread
        self.notifications = [inbox_row(item) for item in latest]
        self.processed_notice = processed_request_notice(latest)

    async def _dismiss(self, prompt: str) -> None:
        # Best effort: on a database error the prompt still closes; it may come back on the next load.
        with contextlib.suppress(SQLAlchemyError):
            await in_session(teleservice.dismiss_prompt, session_id=self._session_id(), prompt=prompt)

    @rx.event
    @insured_handler(read=teleservice.dismiss_dialog)
    async def later(self, _account_id: int, _dismissed: bool):
        """ "Plus tard" (or Esc): close the dialog until the next login (written with the session check)."""
        self.show_dialog = False

    @rx.event
    @insured_handler
    async def dialog_open_change(self, _account_id: int, is_open: bool):
        """Esc or a click outside the dialog act as "Plus tard"."""
        if is_open is False and self.show_dialog:
            self.show_dialog = False
            await self._dismiss(teleservice.Prompt.DIALOG)

    @rx.event
    @insured_handler(read=teleservice.dismiss_dialog)
    async def select(self, _account_id: int, _dismissed: bool):
        """ "Sélectionner": to the selection; the dialog does not come back this login."""
        self.show_dialog = False
        return rx.redirect(routes.SELECTION)

    @rx.event
    @insured_handler(read=teleservice.dismiss_banner)
    async def close_banner(self, _account_id: int, _closed: bool):
        """The banner's close button: hidden until the next login."""
        self.show_banner = False
