"""Single-use login tickets: how a session id reaches the browser without the websocket.

A login opens the session and attaches a ticket to it: a random 256-bit value, of
which the database keeps only the SHA-256, valid for `TICKET_LIFETIME`. The browser
brings the ticket to an HTTP route, which redeems it once: the session gets a new
id there (the one made at login is never given out) and the route puts that id in
an HttpOnly cookie. A used, expired or unknown ticket redeems nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from rxapp.models import SessionKind, WebSession, utcnow
from rxapp.services.security import new_session_id, session_id_hash

TICKET_LIFETIME = timedelta(seconds=30)
MAX_TICKET_LENGTH = 128


def issue_ticket(*, session: Session, session_id: str, now: datetime | None = None) -> str:
    """Attach a fresh single-use ticket to the session just opened for `session_id`.

    Args:
        session: the database session of the login's transaction.
        session_id: the id `auth.login_insured` or `auth.login_agent` returned.
        now: the current time (tests inject it).

    Returns:
        The ticket, for the browser; only its hash is stored.

    Raises:
        LookupError: no session has this id.
    """
    token_hash = session_id_hash(session_id)
    # Opened in this transaction (the login's): still pending, its ticket goes into its INSERT,
    # without a SELECT and an UPDATE.
    web_session = (
        next(
            (row for row in session.new if isinstance(row, WebSession) and row.token_hash == token_hash), None
        )
        or session.exec(select(WebSession).where(WebSession.token_hash == token_hash)).first()
    )
    if web_session is None:
        raise LookupError("no such session")
    ticket = new_session_id()
    web_session.ticket_hash = session_id_hash(ticket)
    web_session.ticket_expires_at = (now or utcnow()) + TICKET_LIFETIME
    session.add(web_session)
    return ticket


def redeem_ticket(
    *, session: Session, ticket: str, kind: SessionKind, now: datetime | None = None
) -> str | None:
    """Exchange a ticket for the session's new id, once.

    The ticket is cleared and the session's id replaced in one UPDATE, so two
    requests racing with the same ticket cannot both win.

    Args:
        session: a database session; the caller commits.
        ticket: what the browser brought.
        kind: the kind of session the route opens (an agent ticket opens no insured session).
        now: the current time (tests inject it).

    Returns:
        The new session id for the cookie, or None for a used, expired, unknown,
        other-kind or revoked ticket.
    """
    if not ticket or len(ticket) > MAX_TICKET_LENGTH:
        return None
    now = now or utcnow()
    session_id = new_session_id()
    redeemed = session.exec(  # type: ignore[call-overload]
        update(WebSession)
        .where(
            col(WebSession.ticket_hash) == session_id_hash(ticket),
            col(WebSession.ticket_expires_at) > now,
            col(WebSession.kind) == kind,
            col(WebSession.revoked_at).is_(None),
        )
        .values(ticket_hash=None, ticket_expires_at=None, token_hash=session_id_hash(session_id))
        .returning(col(WebSession.id))
    ).first()
    return session_id if redeemed is not None else None
