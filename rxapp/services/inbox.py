"""The account's notifications and messages (messagerie): listing, unread
counts, and marking an item read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar, cast

import sqlalchemy as sa
from sqlmodel import Session, col, select

from rxapp.models import Message, Notification, utcnow
from rxapp.services.medialog.closure import CLOSURE_TITLE

_Item = TypeVar("_Item", Notification, Message)


@dataclass(frozen=True)
class InboxItem:
    """A notification or a message of the account (the pages format its date)."""

    item_id: int
    created_at: datetime
    title: str
    body: str
    unread: bool


def _items(
    session: Session, model: type[Notification] | type[Message], account_id: int, limit: int | None
) -> list[InboxItem]:
    statement = (
        select(model)
        .where(model.account_id == account_id)
        .order_by(col(model.created_at).desc(), col(model.id).desc())
    )
    if limit is not None:
        statement = statement.limit(max(limit, 0))
    return [
        InboxItem(
            item_id=int(row.id or 0),
            created_at=row.created_at,
            title=row.title if isinstance(row, Notification) else row.subject,
            body=row.body,
            unread=row.read_at is None,
        )
        for row in cast("list[Notification | Message]", session.exec(statement).all())
    ]


def notifications_for(*, session: Session, account_id: int, limit: int | None = None) -> list[InboxItem]:
    """The account's notifications, newest first (all of them when `limit` is None)."""
    return _items(session, Notification, account_id, limit)


def messages_for(*, session: Session, account_id: int, limit: int | None = None) -> list[InboxItem]:
    """The account's messages, newest first; a message's subject is its title."""
    return _items(session, Message, account_id, limit)


def unread_counts(*, session: Session, account_id: int) -> tuple[int, int]:
    """How many notifications and messages of the account are unread.

    One query holding two scalar COUNT subqueries.

    Returns:
        (unread notifications, unread messages).
    """
    notifications = (
        select(sa.func.count())
        .select_from(Notification)
        .where(Notification.account_id == account_id, col(Notification.read_at).is_(None))
        .scalar_subquery()
    )
    messages = (
        select(sa.func.count())
        .select_from(Message)
        .where(Message.account_id == account_id, col(Message.read_at).is_(None))
        .scalar_subquery()
    )
    row = session.exec(select(notifications, messages)).one()
    return int(row[0]), int(row[1])


def _mark_read(
    session: Session,
    model: type[_Item],
    account_id: int,
    item_id: int,
    now: datetime | None,
) -> bool:
    # A bool is an int to Python; an id never is one.
    if not isinstance(item_id, int) or isinstance(item_id, bool):
        return False
    row = session.exec(select(model).where(model.id == item_id, model.account_id == account_id)).first()
    if row is None:
        return False
    if row.read_at is None:
        row.read_at = now or utcnow()
        session.add(row)
    return True


def mark_notification_read(
    *, session: Session, account_id: int, item_id: int, now: datetime | None = None
) -> bool:
    """Mark one of the account's notifications read (idempotent).

    Args:
        session: the database session.
        account_id: the account of the live session.
        item_id: the notification.
        now: the reading time (defaults to the current time); a second call
            keeps the first reading time.

    Returns:
        True when the notification belongs to the account (now read); False
        otherwise, and nothing is written.
    """
    return _mark_read(session, Notification, account_id, item_id, now)


def mark_message_read(
    *, session: Session, account_id: int, item_id: int, now: datetime | None = None
) -> bool:
    """Mark one of the account's messages read: as `mark_notification_read`, for a message."""
    return _mark_read(session, Message, account_id, item_id, now)


PROCESSED_NOTICE = "Votre demande a été traitée : votre organisme complémentaire est enregistré."


def processed_request_notice(notifications: Sequence[InboxItem]) -> str:
    """The app's "notification courte" once a request has been processed, or "".

    It shows while the newest notification is the closure's and is still unread.

    Args:
        notifications: the account's notifications, newest first.
    """
    if notifications and notifications[0].unread and notifications[0].title == CLOSURE_TITLE:
        return PROCESSED_NOTICE
    return ""
