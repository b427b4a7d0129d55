"""Property-based: whatever is typed in the login forms gets a clear French refusal, never a crash."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func
from sqlmodel import Session, select

from rxapp.models import WebSession
from rxapp.services import auth
from rxapp.services.demo import seed_demo_data

TYPED = st.text(max_size=60) | st.from_regex(r"[12][0-9 ]{0,20}[0-9AB]{0,4}", fullmatch=True)
ANYTHING = (
    TYPED | st.none() | st.integers() | st.lists(st.text(max_size=5), max_size=3) | st.binary(max_size=10)
)


@pytest.fixture
def session(db_session: Session) -> Session:
    seed_demo_data(session=db_session)
    db_session.flush()
    return db_session


def _sessions(session: Session) -> int:
    return session.exec(select(func.count()).select_from(WebSession)).one()


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(nir=TYPED, code=st.text(max_size=200))
def test_insured_login_refuses_in_french_and_opens_nothing(session: Session, nir: str, code: str) -> None:
    with session.begin_nested() as attempt:
        with pytest.raises(auth.LoginRefused) as refused:
            auth.login_insured(session=session, nir=nir, code=code + "#", client_ip="198.51.100.1")
        message = str(refused.value)
        assert message and message[0].isupper() and message.endswith((".", "»."))
        assert _sessions(session) == 0
        attempt.rollback()  # keep the failure counter from locking later examples


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(login=ANYTHING, password=ANYTHING)
def test_agent_login_refuses_anything_but_the_right_pair(session: Session, login, password) -> None:
    with session.begin_nested() as attempt:
        with pytest.raises(auth.LoginRefused) as refused:
            auth.login_agent(session=session, login=login, password=password, client_ip="198.51.100.2")
        assert str(refused.value) in {auth.BAD_AGENT_CREDENTIALS, auth.LOCKED, auth.TOO_MANY_FROM_CLIENT}
        attempt.rollback()
