"""What the worker's periodic tasks pick up again: nothing is lost if a queueing fails."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from rxapp.models import Affaire, AffaireOutbox, AffaireStatus, utcnow

STALE_PAGE = 500


def stale_outbox(
    *, session: Session, older_than: timedelta, limit: int = STALE_PAGE, now: datetime | None = None
) -> list[int]:
    """Requests still without an affaire, last queued more than `older_than` ago;
    they are marked queued again (the caller queues them after its commit)."""
    now = now or utcnow()
    rows = session.exec(
        select(AffaireOutbox)
        .where(col(AffaireOutbox.done_at).is_(None), col(AffaireOutbox.queued_at) < now - older_than)
        .order_by(col(AffaireOutbox.queued_at))
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for row in rows:
        row.queued_at = now
        row.attempts += 1
        session.add(row)
    return [row.request_id for row in rows]


def _affaire_ids(session: Session, *conditions: Any, oldest_first_by: Any, limit: int) -> list[int]:
    """The ids of the affaires meeting `conditions`, oldest first, at most `limit`."""
    ids = session.exec(
        select(Affaire.id).where(*conditions).order_by(col(oldest_first_by)).limit(limit)
    ).all()
    return [affaire_id for affaire_id in ids if affaire_id is not None]


def closures_to_deliver(
    *,
    session: Session,
    older_than: timedelta,
    limit: int = 500,
    now: datetime | None = None,
    unstarted_only: bool = False,
) -> list[int]:
    """Closed affaires whose notification or email is still missing after `older_than`
    (with `unstarted_only`, only those not even notified: their delivery never ran)."""
    now = now or utcnow()
    missing = (
        col(Affaire.notified_at).is_(None)
        if unstarted_only
        else col(Affaire.notified_at).is_(None) | col(Affaire.avis_sent_at).is_(None)
    )
    return _affaire_ids(
        session,
        col(Affaire.status) == AffaireStatus.CLOSED,
        col(Affaire.closed_at) < now - older_than,
        missing,
        oldest_first_by=Affaire.closed_at,
        limit=limit,
    )


def affaires_to_auto_process(
    *, session: Session, delay: timedelta, limit: int = 200, now: datetime | None = None
) -> list[int]:
    """Simple, new affaires older than `delay`: the worker plays the agent for them."""
    now = now or utcnow()
    return _affaire_ids(
        session,
        col(Affaire.status) == AffaireStatus.NEW,
        col(Affaire.is_complex).is_(False),
        col(Affaire.created_at) < now - delay,
        oldest_first_by=Affaire.created_at,
        limit=limit,
    )


def claim_for_auto_process(*, session: Session, affaire_id: int) -> bool:
    """Lock a still new affaire until the commit; False when another run holds it or took it
    (runs every second may overlap: the second one skips instead of waiting on each lock)."""
    return (
        session.exec(
            select(Affaire.id)
            .where(col(Affaire.id) == affaire_id, col(Affaire.status) == AffaireStatus.NEW)
            .with_for_update(skip_locked=True)
        ).first()
        is not None
    )
