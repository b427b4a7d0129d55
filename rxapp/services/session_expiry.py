"""The session's idle expiry as the page shows it (RGAA 13.1): how long is left, and "Prolonger".

Reading the time left never restarts the idle clock (only the visitor's own actions do);
extending restarts it at once, whatever the clock's resolution.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from rxapp.models import SessionKind, utcnow
from rxapp.services.auth import ABSOLUTE_TIMEOUT, find_session, refusal_reason, resolve_session


def time_left(
    *,
    session: Session,
    session_id: str,
    kind: SessionKind,
    idle_timeout: timedelta,
    now: datetime | None = None,
) -> timedelta | None:
    """How long the session lives without activity, or None when it is already over (or unknown).

    The absolute limit (8 h) is not extended by activity: the time left is the sooner of the two.
    """
    web_session = find_session(session=session, session_id=session_id)
    now = now or utcnow()
    if refusal_reason(web_session, kind, now, idle_timeout=idle_timeout) is not None:
        return None
    assert web_session is not None
    return min(web_session.last_seen_at + idle_timeout, web_session.created_at + ABSOLUTE_TIMEOUT) - now


def extend(
    *,
    session: Session,
    session_id: str,
    kind: SessionKind,
    idle_timeout: timedelta,
    now: datetime | None = None,
) -> bool:
    """Restart the idle clock of a live session now ("Prolonger"); False when it is already over."""
    now = now or utcnow()
    web_session = resolve_session(
        session=session, session_id=session_id, kind=kind, now=now, idle_timeout=idle_timeout
    )
    if web_session is None:
        return False
    web_session.last_seen_at = now
    session.add(web_session)
    return True
