"""Integration tests for `rxapp.services.auth` on the demo data (PostgreSQL)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from rxapp.models import Account, InsuredPerson, SessionKind, WebSession
from rxapp.services import auth
from rxapp.services.auth import (
    LoginRefused,
    account_for_session,
    end_session,
    login_insured,
    resolve_session,
)
from rxapp.services.demo import DEMO_CODE, seed_demo_data
from rxapp.services.security import new_session_id

RENALDO_NIR = "1 74 11 71 270 102"
RENALDO_BODY = "1741171270102"
UNKNOWN_VALID_NIR = "2 84 05 2A 321 025 52"
T0 = datetime(2026, 1, 7, 9, 0, tzinfo=UTC)


@pytest.fixture
def session(db_session: Session) -> Session:
    """The test's session, with the demo personas seeded."""
    seed_demo_data(session=db_session)
    db_session.flush()
    return db_session


def _renaldo_account(session: Session) -> Account:
    return session.exec(select(Account).join(InsuredPerson).where(InsuredPerson.nir == RENALDO_BODY)).one()


def _session_rows(session: Session) -> list[WebSession]:
    return list(session.exec(select(WebSession)).all())


def _reload(session: Session) -> None:
    """Write pending changes and forget loaded objects, so the next reads hit the database."""
    session.flush()
    session.expire_all()


def _resolve(
    session: Session, session_id: str, now: datetime, kind: SessionKind = SessionKind.INSURED
) -> WebSession | None:
    return resolve_session(session=session, session_id=session_id, kind=kind, now=now)


def _refusal(session: Session, nir: str, code: str) -> str:
    with pytest.raises(LoginRefused) as excinfo:
        login_insured(session=session, nir=nir, code=code, now=T0)
    return str(excinfo.value)


# --- login_insured ---------------------------------------------------------------


@pytest.mark.parametrize(
    "nir", [RENALDO_NIR, "1 74 11 71 270 102 58", "174117127010258", "1.74.11.71.270.102"]
)
def test_right_code_opens_a_session(session: Session, nir: str) -> None:
    opened = login_insured(session=session, nir=nir, code=DEMO_CODE, now=T0)
    _reload(session)

    account = _renaldo_account(session)
    assert opened.session_id
    assert opened.account_id == account.id
    assert opened.agent_id is None

    rows = _session_rows(session)
    assert len(rows) == 1
    row = rows[0]
    assert row.kind is SessionKind.INSURED
    assert row.account_id == account.id
    assert row.agent_id is None
    assert row.created_at == T0
    assert row.last_seen_at == T0
    assert row.revoked_at is None


def test_wrong_code_and_unknown_nir_get_the_same_generic_message(session: Session) -> None:
    """No account enumeration: an unknown NIR reads exactly like a wrong code."""
    wrong_code = _refusal(session, RENALDO_NIR, "Demo2025!")
    unknown_nir = _refusal(session, UNKNOWN_VALID_NIR, DEMO_CODE)

    assert wrong_code == unknown_nir == auth.BAD_CREDENTIALS
    assert _session_rows(session) == []


def test_wrong_code_leaves_the_login_dates_alone(session: Session) -> None:
    _refusal(session, RENALDO_NIR, "wrong")
    _reload(session)
    account = _renaldo_account(session)
    assert account.last_login_at is None
    assert account.previous_login_at is None


def test_code_is_case_sensitive(session: Session) -> None:
    assert _refusal(session, RENALDO_NIR, DEMO_CODE.lower()) == auth.BAD_CREDENTIALS


@pytest.mark.parametrize(
    ("nir", "fragment"),
    [
        ("1 74 13 71 270 102", "entre 01 et 12"),
        ("3 74 11 71 270 102", "commence par 1 ou 2"),
        ("1 74 11 71 270 102 59", "La clé"),
        ("1 74 11 71 270", "vous en avez saisi 10"),
        ("", "Saisissez votre numéro de sécurité sociale"),
    ],
)
def test_malformed_nir_gets_the_specific_nir_message(session: Session, nir: str, fragment: str) -> None:
    message = _refusal(session, nir, DEMO_CODE)
    assert fragment in message
    assert message != auth.BAD_CREDENTIALS
    assert _session_rows(session) == []


def test_missing_code_is_named(session: Session) -> None:
    assert _refusal(session, RENALDO_NIR, "") == auth.MISSING_CODE


def test_overlong_code_gets_the_generic_message(session: Session) -> None:
    assert _refusal(session, RENALDO_NIR, "x" * (auth.MAX_CODE_LENGTH + 1)) == auth.BAD_CREDENTIALS


def test_second_login_yields_a_different_session_id(session: Session) -> None:
    first = login_insured(session=session, nir=RENALDO_NIR, code=DEMO_CODE, now=T0)
    second = login_insured(session=session, nir=RENALDO_NIR, code=DEMO_CODE, now=T0 + timedelta(minutes=1))
    _reload(session)

    assert first.session_id != second.session_id
    assert len(_session_rows(session)) == 2
    # Both sessions stay usable: a new login does not end the other one.
    now = T0 + timedelta(minutes=2)
    assert _resolve(session, first.session_id, now)
    assert _resolve(session, second.session_id, now)


def test_previous_login_is_updated_on_the_second_login(session: Session) -> None:
    first_at = T0
    second_at = T0 + timedelta(days=2, hours=3)

    login_insured(session=session, nir=RENALDO_NIR, code=DEMO_CODE, now=first_at)
    _reload(session)
    account = _renaldo_account(session)
    assert account.last_login_at == first_at
    assert account.previous_login_at is None

    login_insured(session=session, nir=RENALDO_NIR, code=DEMO_CODE, now=second_at)
    _reload(session)
    account = _renaldo_account(session)
    assert account.last_login_at == second_at
    assert account.previous_login_at == first_at


# --- sessions ------------------------------------------------------------------


def test_database_stores_only_the_sha256_of_the_session_id(session: Session) -> None:
    opened = login_insured(session=session, nir=RENALDO_NIR, code=DEMO_CODE, now=T0)
    _reload(session)

    rows = _session_rows(session)
    assert all(row.token_hash != opened.session_id for row in rows)
    assert [row.token_hash for row in rows] == [hashlib.sha256(opened.session_id.encode()).hexdigest()]
    assert len(rows[0].token_hash) == 64


def test_resolve_session_returns_the_live_session(session: Session) -> None:
    opened = login_insured(session=session, nir=RENALDO_NIR, code=DEMO_CODE, now=T0)
    _reload(session)

    later = T0 + timedelta(minutes=5)
    web_session = _resolve(session, opened.session_id, later)
    assert web_session is not None
    assert web_session.account_id == opened.account_id
    assert web_session.kind is SessionKind.INSURED

    # The idle clock restarted and is stored.
    _reload(session)
    assert _session_rows(session)[0].last_seen_at == later


def test_the_idle_clock_is_written_at_most_once_a_minute(session: Session) -> None:
    opened = login_insured(session=session, nir=RENALDO_NIR, code=DEMO_CODE, now=T0)
    _reload(session)

    # Within the minute: the session is live, nothing is written.
    assert _resolve(session, opened.session_id, T0 + timedelta(seconds=59)) is not None
    assert not session.dirty
    _reload(session)
    assert _session_rows(session)[0].last_seen_at == T0
    # A minute on, the clock moves; the idle timeout counts from there.
    assert _resolve(session, opened.session_id, T0 + timedelta(minutes=1)) is not None
    _reload(session)
    assert _session_rows(session)[0].last_seen_at == T0 + timedelta(minutes=1)
    assert _resolve(session, opened.session_id, T0 + timedelta(minutes=31)) is not None
    assert _resolve(session, opened.session_id, T0 + timedelta(minutes=61, seconds=1)) is None


@pytest.mark.parametrize("session_id", ["forged", "", "x" * 200])
def test_resolve_session_refuses_unknown_ids(session: Session, session_id: str) -> None:
    login_insured(session=session, nir=RENALDO_NIR, code=DEMO_CODE, now=T0)
    _reload(session)
    assert _resolve(session, session_id, T0) is None


def test_resolve_session_refuses_a_forged_random_id(session: Session) -> None:
    login_insured(session=session, nir=RENALDO_NIR, code=DEMO_CODE, now=T0)
    _reload(session)
    forged = new_session_id()
    assert _resolve(session, forged, T0) is None


def test_ended_session_no_longer_resolves(session: Session) -> None:
    opened = login_insured(session=session, nir=RENALDO_NIR, code=DEMO_CODE, now=T0)
    _reload(session)

    end_session(session=session, session_id=opened.session_id, now=T0 + timedelta(minutes=1))
    _reload(session)

    assert _session_rows(session)[0].revoked_at == T0 + timedelta(minutes=1)
    resolved = _resolve(session, opened.session_id, T0 + timedelta(minutes=2))
    assert resolved is None


def test_end_session_ignores_unknown_ids(session: Session) -> None:
    opened = login_insured(session=session, nir=RENALDO_NIR, code=DEMO_CODE, now=T0)
    end_session(session=session, session_id="unknown", now=T0)
    _reload(session)
    assert _resolve(session, opened.session_id, T0)


def test_session_expires_after_30_minutes_idle(session: Session) -> None:
    opened = login_insured(session=session, nir=RENALDO_NIR, code=DEMO_CODE, now=T0)
    _reload(session)

    # 30 minutes idle is still allowed, and restarts the clock...
    kept = _resolve(session, opened.session_id, T0 + timedelta(minutes=30))
    assert kept is not None
    _reload(session)
    # ...then 31 minutes without activity end it.
    expired = _resolve(session, opened.session_id, T0 + timedelta(minutes=61))
    assert expired is None


def test_session_idle_for_31_minutes_is_refused(session: Session) -> None:
    opened = login_insured(session=session, nir=RENALDO_NIR, code=DEMO_CODE, now=T0)
    _reload(session)
    resolved = _resolve(session, opened.session_id, T0 + timedelta(minutes=31))
    assert resolved is None


def test_session_expires_after_8_hours_even_when_active(session: Session) -> None:
    opened = login_insured(session=session, nir=RENALDO_NIR, code=DEMO_CODE, now=T0)
    _reload(session)

    # Active every 20 minutes, up to exactly 8 hours: still alive.
    for minutes in range(20, 8 * 60 + 1, 20):
        resolved = _resolve(
            session,
            opened.session_id,
            T0 + timedelta(minutes=minutes),
        )
        assert resolved is not None, f"refused after {minutes} minutes"
    _reload(session)

    # One minute after the last activity, but 8h01 after login: over.
    resolved = _resolve(
        session,
        opened.session_id,
        T0 + timedelta(hours=8, minutes=1),
    )
    assert resolved is None


def test_insured_session_is_not_an_agent_session(session: Session) -> None:
    opened = login_insured(session=session, nir=RENALDO_NIR, code=DEMO_CODE, now=T0)
    _reload(session)

    assert _resolve(session, opened.session_id, T0, kind=SessionKind.AGENT) is None
    # Asking with the wrong kind does not spoil the session.
    assert _resolve(session, opened.session_id, T0)


def test_account_for_session_finds_the_account(session: Session) -> None:
    opened = login_insured(session=session, nir=RENALDO_NIR, code=DEMO_CODE)
    _reload(session)

    account = account_for_session(session=session, session_id=opened.session_id)
    assert account is not None
    assert account.id == _renaldo_account(session).id
    assert account_for_session(session=session, session_id=new_session_id()) is None
