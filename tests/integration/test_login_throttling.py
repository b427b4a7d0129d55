"""Brute force is throttled: per NIR (or agent login) and per client address."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session

from rxapp.models import utcnow
from rxapp.services import auth
from rxapp.services.demo import AGENT_PASSWORD, DEMO_CODE, seed_demo_data

RENALDO = "1 74 11 71 270 102"
UNKNOWN = "2 84 05 2A 321 025 52"  # valid NIR, no account


@pytest.fixture
def session(db_session: Session) -> Session:
    seed_demo_data(session=db_session)
    db_session.flush()
    return db_session


def _fail(session: Session, nir: str, times: int, client_ip: str = "10.0.0.1", now=None) -> None:
    for _ in range(times):
        with pytest.raises(auth.LoginRefused, match="incorrect"):
            auth.login_insured(session=session, nir=nir, code="Mauvais1!", client_ip=client_ip, now=now)


def test_five_failures_lock_the_nir_for_fifteen_minutes_even_with_the_right_code(session: Session) -> None:
    start = utcnow()
    _fail(session, RENALDO, 5, now=start)
    with pytest.raises(auth.LoginRefused) as refused:
        auth.login_insured(session=session, nir=RENALDO, code=DEMO_CODE, client_ip="10.0.0.2", now=start)
    assert str(refused.value) == auth.LOCKED
    later = start + timedelta(minutes=15, seconds=1)
    assert auth.login_insured(
        session=session, nir=RENALDO, code=DEMO_CODE, client_ip="10.0.0.2", now=later
    ).session_id


def test_an_unknown_nir_locks_the_same_way(session: Session) -> None:
    _fail(session, UNKNOWN, 5)
    with pytest.raises(auth.LoginRefused) as refused:
        auth.login_insured(session=session, nir=UNKNOWN, code="x", client_ip="10.9.9.9")
    assert str(refused.value) == auth.LOCKED  # no hint whether the account exists


def test_one_client_is_refused_after_twenty_failures_on_any_accounts(session: Session) -> None:
    nirs = [RENALDO, "2 85 12 01 053 118 12", "2 68 03 01 283 047 80", "2 95 07 01 053 089 53", UNKNOWN]
    for nir in nirs:
        _fail(session, nir, 4, client_ip="192.0.2.7")
    with pytest.raises(auth.LoginRefused) as refused:
        auth.login_insured(
            session=session, nir="1 81 04 04 070 012 33", code=DEMO_CODE, client_ip="192.0.2.7"
        )
    assert str(refused.value) == auth.TOO_MANY_FROM_CLIENT
    # Another client logs in to the same account without trouble.
    assert auth.login_insured(
        session=session, nir="1 81 04 04 070 012 33", code=DEMO_CODE, client_ip="192.0.2.8"
    )


def test_agent_logins_are_throttled_too(session: Session) -> None:
    for _ in range(5):
        with pytest.raises(auth.LoginRefused):
            auth.login_agent(session=session, login="agent.ain", password="nope", client_ip="10.1.1.1")
    with pytest.raises(auth.LoginRefused) as refused:
        auth.login_agent(session=session, login="agent.ain", password=AGENT_PASSWORD, client_ip="10.1.1.2")
    assert str(refused.value) == auth.LOCKED


def test_agent_and_insured_sessions_cannot_stand_for_each_other(session: Session) -> None:
    insured = auth.login_insured(session=session, nir=RENALDO, code=DEMO_CODE)
    agent = auth.login_agent(session=session, login="agent.ain", password=AGENT_PASSWORD)
    assert auth.agent_for_session(session=session, session_id=insured.session_id) is None
    assert auth.account_for_session(session=session, session_id=agent.session_id) is None
    assert auth.agent_for_session(session=session, session_id=agent.session_id).login == "agent.ain"
