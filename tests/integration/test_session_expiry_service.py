"""The session expiry rules behind the warning (RGAA 13.1), on the real database: reading the
time left never keeps a session alive; "Prolonger" does, server-side."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session

from rxapp.models import SessionKind, utcnow
from rxapp.services import session_expiry
from rxapp.services.auth import find_session, login_insured
from rxapp.services.demo import DEMO_CODE, seed_demo_data

IDLE = timedelta(minutes=30)
RENALDO = "1741171270102"


@pytest.fixture
def opened(db_session: Session) -> tuple[Session, str]:
    seed_demo_data(session=db_session)
    session_id = login_insured(session=db_session, nir=RENALDO, code=DEMO_CODE).session_id
    db_session.flush()
    return db_session, session_id


def _idle_for(session: Session, session_id: str, span: timedelta) -> None:
    web_session = find_session(session=session, session_id=session_id)
    assert web_session is not None
    web_session.last_seen_at = utcnow() - span
    session.add(web_session)
    session.flush()


def test_time_left_counts_down_without_restarting_the_idle_clock(opened: tuple[Session, str]) -> None:
    session, session_id = opened
    _idle_for(session, session_id, timedelta(minutes=29))
    for _ in range(2):
        left = session_expiry.time_left(
            session=session, session_id=session_id, kind=SessionKind.INSURED, idle_timeout=IDLE
        )
        assert left is not None and timedelta(seconds=50) < left <= timedelta(minutes=1)
    left = session_expiry.time_left(
        session=session, session_id=session_id, kind=SessionKind.INSURED, idle_timeout=IDLE
    )
    assert left is not None and left <= timedelta(minutes=1)


def test_prolonger_restarts_the_idle_clock(opened: tuple[Session, str]) -> None:
    session, session_id = opened
    _idle_for(session, session_id, timedelta(minutes=29, seconds=30))
    assert session_expiry.extend(
        session=session, session_id=session_id, kind=SessionKind.INSURED, idle_timeout=IDLE
    )
    left = session_expiry.time_left(
        session=session, session_id=session_id, kind=SessionKind.INSURED, idle_timeout=IDLE
    )
    assert left is not None and left > IDLE - timedelta(seconds=5)


def test_an_expired_or_foreign_session_is_neither_counted_nor_extended(opened: tuple[Session, str]) -> None:
    session, session_id = opened
    assert (
        session_expiry.time_left(
            session=session, session_id=session_id, kind=SessionKind.AGENT, idle_timeout=IDLE
        )
        is None
    )
    _idle_for(session, session_id, IDLE + timedelta(seconds=1))
    assert (
        session_expiry.time_left(
            session=session, session_id=session_id, kind=SessionKind.INSURED, idle_timeout=IDLE
        )
        is None
    )
    assert not session_expiry.extend(
        session=session, session_id=session_id, kind=SessionKind.INSURED, idle_timeout=IDLE
    )
    assert (
        session_expiry.time_left(
            session=session, session_id="inconnu", kind=SessionKind.INSURED, idle_timeout=IDLE
        )
        is None
    )
