"""The outbox backlog: how many requests still wait for their affaire, and since when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from rxapp.models import AffaireOutbox, utcnow


@dataclass(frozen=True)
class OutboxBacklog:
    pending: int
    oldest_age_seconds: float


def outbox_backlog(*, session: Session, now: datetime | None = None) -> OutboxBacklog:
    """Pending outbox rows and the age of the oldest one (0 when none), from the partial index.

    Args:
        session: An open session.
        now: The current time (injected by tests).
    """
    now = now or utcnow()
    pending, oldest = session.exec(
        select(func.count(), func.min(AffaireOutbox.created_at)).where(col(AffaireOutbox.done_at).is_(None))
    ).one()
    if oldest is None:
        return OutboxBacklog(pending=0, oldest_age_seconds=0.0)
    if oldest.tzinfo is None and now.tzinfo is not None:
        oldest = oldest.replace(tzinfo=now.tzinfo)
    return OutboxBacklog(pending=int(pending), oldest_age_seconds=max(0.0, (now - oldest).total_seconds()))
