"""What the insured's own pages show about their account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from rxapp.models import Account, InsuredPerson, SessionKind, WebSession
from rxapp.services.account_holder import account_holder
from rxapp.services.auth import resolve_session
from rxapp.services.inbox import InboxItem, messages_for, notifications_for, unread_counts
from rxapp.services.payments import PaymentLine, payments_for
from rxapp.services.teleservice import OverlapSituation, overlap_situation


@dataclass(frozen=True)
class Greeting:
    first_name: str
    last_name: str
    last_connection: datetime | None  # the previous login; at the first login, this one


def greeting_for(*, session: Session, account_id: int) -> Greeting:
    """The name and previous connection of the account's insured person."""
    account, insured = account_holder(session, account_id)
    return Greeting(
        insured.first_name,
        insured.last_name,
        account.previous_login_at or account.last_login_at,
    )


@dataclass(frozen=True)
class DashboardView:
    """Everything the dashboard shows, read in one short transaction."""

    greeting: Greeting
    payments: list[PaymentLine]
    notifications: list[InboxItem]
    messages: list[InboxItem]
    unread_notifications: int
    unread_messages: int
    situation: OverlapSituation
    show_dialog: bool
    show_banner: bool


def dashboard_for(*, session: Session, session_id: str, latest: int = 3) -> DashboardView | None:
    """The dashboard of the live insured session `session_id`, or None when it is not live.

    The conflict dialog and the banner show while the overlap is unresolved and
    the insured may resolve it online, until dismissed for this login.
    """
    web_session = resolve_session(session=session, session_id=session_id, kind=SessionKind.INSURED)
    if web_session is None:
        return None
    return dashboard_of(session=session, web_session=web_session, latest=latest)


def dashboard_of(*, session: Session, web_session: WebSession, latest: int = 3) -> DashboardView | None:
    """The dashboard of a session already known to be live (a gate's read: `@insured_handler(read=...)`)."""
    if web_session.account_id is None:
        return None
    account_id = web_session.account_id
    # The account and its insured person in one statement; holding them here keeps them in the
    # session's (weak) identity map, so the readers below get them without querying again.
    account_and_insured = session.exec(
        select(Account, InsuredPerson)
        .join(InsuredPerson, col(InsuredPerson.id) == Account.insured_id)
        .where(Account.id == account_id)
    ).first()
    if account_and_insured is None:
        return None
    situation = overlap_situation(session=session, account_id=account_id)
    unread_notifications, unread_messages = unread_counts(session=session, account_id=account_id)
    return DashboardView(
        greeting=greeting_for(session=session, account_id=account_id),
        payments=payments_for(session=session, account_id=account_id, limit=latest),
        notifications=notifications_for(session=session, account_id=account_id, limit=2),
        messages=messages_for(session=session, account_id=account_id, limit=2),
        unread_notifications=unread_notifications,
        unread_messages=unread_messages,
        situation=situation,
        show_dialog=situation.prompts_selection and not web_session.overlap_dialog_dismissed,
        show_banner=situation.prompts_selection and not web_session.overlap_banner_closed,
    )
