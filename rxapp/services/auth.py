"""Logging in and out of the ameli account, and server-side sessions."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import delete, func
from sqlalchemy.engine import CursorResult
from sqlmodel import Session, col, select

from rxapp.models import Account, Agent, InsuredPerson, LoginFailure, SessionKind, WebSession, utcnow
from rxapp.services.audit import (
    LOGIN_FAILED,
    LOGIN_LOCKED,
    SESSION_REFUSED,
    masked,
    security_event,
)
from rxapp.services.nir import NirError, parse_nir
from rxapp.services.security import (
    new_session_id,
    rehashed,
    session_id_hash,
    verify_secret,
)

IDLE_TIMEOUT = timedelta(minutes=30)
# The idle clock is written at most once a minute: every page load and click re-checks the
# session, and a write on each would cost a transaction commit for a minute's precision.
IDLE_CLOCK_RESOLUTION = timedelta(minutes=1)
ABSOLUTE_TIMEOUT = timedelta(hours=8)
MAX_CODE_LENGTH = 128

BAD_CREDENTIALS = "Le numéro de sécurité sociale ou le code est incorrect."
LOCKED = (
    "Trop de tentatives infructueuses : la connexion à ce compte est bloquée pendant 15 minutes. "
    "Réessayez plus tard ou utilisez « Code oublié ? »."
)
TOO_MANY_FROM_CLIENT = "Trop de tentatives infructueuses depuis votre connexion. Réessayez dans 15 minutes."
FAILURE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_SUBJECT = 5
MAX_FAILURES_PER_CLIENT = 20
MISSING_CODE = "Saisissez votre code."


class LoginRefused(Exception):
    """Login refused; the message is French and safe to show."""


@dataclass(frozen=True)
class OpenedSession:
    """A session just opened: the id for the cookie, never stored as such."""

    session_id: str
    account_id: int | None = None
    agent_id: int | None = None


def _throttle(session: Session, *, subject: str, client_ip: str, now: datetime) -> None:
    """Refuse further tries after too many recent failures for this subject or client.

    The same message is given whether or not the account exists.
    """
    since = now - FAILURE_WINDOW
    by_subject = session.exec(
        select(func.count())
        .select_from(LoginFailure)
        .where(LoginFailure.subject == subject, col(LoginFailure.at) >= since)
    ).one()
    if by_subject >= MAX_FAILURES_PER_SUBJECT:
        security_event(LOGIN_LOCKED, scope="subject", subject=masked(subject), client_ip=client_ip or None)
        raise LoginRefused(LOCKED)
    if client_ip:
        by_client = session.exec(
            select(func.count())
            .select_from(LoginFailure)
            .where(LoginFailure.client_ip == client_ip, col(LoginFailure.at) >= since)
        ).one()
        if by_client >= MAX_FAILURES_PER_CLIENT:
            security_event(LOGIN_LOCKED, scope="client", subject=masked(subject), client_ip=client_ip)
            raise LoginRefused(TOO_MANY_FROM_CLIENT)


def _failed(session: Session, *, subject: str, client_ip: str, now: datetime, message: str) -> LoginRefused:
    session.add(LoginFailure(subject=subject, client_ip=client_ip[:64], at=now))
    security_event(LOGIN_FAILED, level=logging.INFO, subject=masked(subject), client_ip=client_ip or None)
    return LoginRefused(message)


def login_insured(
    *, session: Session, nir: str, code: str, client_ip: str = "", now: datetime | None = None
) -> OpenedSession:
    """Check an insured's NIR and code and open a session.

    A malformed NIR is refused with a message saying what is wrong, before any
    lookup. A wrong NIR/code pair gets one generic message, whether or not the
    account exists. After 5 failures for a NIR in 15 minutes, that NIR is
    refused for 15 minutes; after 20 failures from one client address, so is
    that client. A refusal leaves its LoginFailure row in the session: the
    caller commits it even though the login fails.

    Raises:
        LoginRefused: with the message to show.
    """
    try:
        parsed = parse_nir(nir)
    except NirError as error:
        raise LoginRefused(str(error)) from None
    if not code:
        raise LoginRefused(MISSING_CODE)
    now = now or utcnow()
    _throttle(session, subject=parsed.body, client_ip=client_ip, now=now)
    if len(code) > MAX_CODE_LENGTH:
        raise _failed(session, subject=parsed.body, client_ip=client_ip, now=now, message=BAD_CREDENTIALS)
    account = session.exec(
        select(Account).join(InsuredPerson).where(InsuredPerson.nir == parsed.body)
    ).first()
    if not verify_secret(account.code_hash if account else None, code) or account is None:
        raise _failed(session, subject=parsed.body, client_ip=client_ip, now=now, message=BAD_CREDENTIALS)
    new_hash = rehashed(account.code_hash, code)
    if new_hash is not None:
        account.code_hash = new_hash
    return _signed_in(session, account, now)


def _signed_in(
    session: Session, account: Account, now: datetime, *, id_token: str | None = None
) -> OpenedSession:
    account.previous_login_at = account.last_login_at
    account.last_login_at = now
    session.add(account)
    return _open_session(session, SessionKind.INSURED, now, account_id=account.id, id_token=id_token)


def login_identified_insured(
    *,
    session: Session,
    account: Account,
    nir: str,
    id_token: str,
    client_ip: str = "",
    now: datetime | None = None,
) -> OpenedSession:
    """Open the session of an insured whom FranceConnect identified (see services/franceconnect).

    The same throttling as the NIR + code login applies: a NIR or a client address
    locked by failed codes stays locked here too. The id_token is kept with the
    session (server-side) for the logout's id_token_hint.

    Raises:
        LoginRefused: the NIR or the client address is locked.
    """
    now = now or utcnow()
    _throttle(session, subject=nir, client_ip=client_ip, now=now)
    return _signed_in(session, account, now, id_token=id_token)


def _open_session(
    session: Session,
    kind: SessionKind,
    now: datetime,
    *,
    account_id: int | None = None,
    agent_id: int | None = None,
    id_token: str | None = None,
) -> OpenedSession:
    session_id = new_session_id()
    session.add(
        WebSession(
            token_hash=session_id_hash(session_id),
            kind=kind,
            account_id=account_id,
            agent_id=agent_id,
            created_at=now,
            last_seen_at=now,
            franceconnect_id_token=id_token,
        )
    )
    return OpenedSession(session_id, account_id=account_id, agent_id=agent_id)


def idle_clock_resolution(idle_timeout: timedelta) -> timedelta:
    """How stale the idle clock may be: a minute, or less for a short idle timeout."""
    return min(IDLE_CLOCK_RESOLUTION, idle_timeout / 30)


def find_session(*, session: Session, session_id: str) -> WebSession | None:
    """The session row for `session_id`, live or not; None for an unknown or malformed id."""
    if not session_id or not isinstance(session_id, str) or len(session_id) > 128:
        return None
    return session.exec(
        select(WebSession).where(WebSession.token_hash == session_id_hash(session_id))
    ).first()


def resolve_session(
    *,
    session: Session,
    session_id: str,
    kind: SessionKind,
    now: datetime | None = None,
    idle_timeout: timedelta = IDLE_TIMEOUT,
) -> WebSession | None:
    """The live session of this kind for `session_id`, its idle clock restarted (to the minute).

    Returns None for an unknown, revoked, expired or other-kind session.
    """
    if not session_id:
        return None
    if not isinstance(session_id, str) or len(session_id) > 128:
        security_event(SESSION_REFUSED, kind=kind.value, reason="malformed")
        return None
    web_session = find_session(session=session, session_id=session_id)
    now = now or utcnow()
    reason = refusal_reason(web_session, kind, now, idle_timeout=idle_timeout)
    if reason is not None:
        security_event(SESSION_REFUSED, kind=kind.value, reason=reason)
        return None
    assert web_session is not None
    if now - web_session.last_seen_at >= idle_clock_resolution(idle_timeout):
        web_session.last_seen_at = now
        session.add(web_session)
    return web_session


def refusal_reason(
    web_session: WebSession | None,
    kind: SessionKind,
    now: datetime,
    *,
    idle_timeout: timedelta = IDLE_TIMEOUT,
) -> str | None:
    """Why this session cannot be used now, or None when it is live."""
    if web_session is None:
        return "unknown"
    if web_session.kind is not kind:
        return "other_kind"
    if web_session.revoked_at is not None:
        return "revoked"
    if now - web_session.last_seen_at > idle_timeout:
        return "idle_expired"
    if now - web_session.created_at > ABSOLUTE_TIMEOUT:
        return "absolute_expired"
    return None


def end_session(*, session: Session, session_id: str, now: datetime | None = None) -> str | None:
    """Revoke a session (logout). Unknown ids are ignored.

    Returns:
        The FranceConnect id_token of a live session opened through FranceConnect (to end
        the FranceConnect session too), else None. It is forgotten with the session.
    """
    web_session = session.exec(
        select(WebSession).where(WebSession.token_hash == session_id_hash(session_id))
    ).first()
    if web_session is None or web_session.revoked_at is not None:
        return None
    id_token = web_session.franceconnect_id_token
    web_session.revoked_at = now or utcnow()
    web_session.franceconnect_id_token = None
    session.add(web_session)
    return id_token


def insured_session(
    *, session: Session, session_id: str, idle_timeout: timedelta = IDLE_TIMEOUT
) -> WebSession | None:
    """The live insured session `session_id` (its `account_id` set), or None.

    One statement (the idle clock's update aside): the account exists, the foreign key says so.
    """
    web_session = resolve_session(
        session=session, session_id=session_id, kind=SessionKind.INSURED, idle_timeout=idle_timeout
    )
    if web_session is None or web_session.account_id is None:
        return None
    return web_session


def account_for_session(
    *, session: Session, session_id: str, idle_timeout: timedelta = IDLE_TIMEOUT
) -> Account | None:
    """The account behind a live insured session."""
    web_session = insured_session(session=session, session_id=session_id, idle_timeout=idle_timeout)
    return session.get(Account, web_session.account_id) if web_session is not None else None


BAD_AGENT_CREDENTIALS = "Identifiant ou mot de passe incorrect."
AGENT_LOGIN = re.compile(r"[a-z0-9][a-z0-9._-]{0,59}")


def login_agent(
    *, session: Session, login: object, password: object, client_ip: str = "", now: datetime | None = None
) -> OpenedSession:
    """Check an agent's login and password and open an agent session.

    Throttled like the insured login (per login and per client address); a
    refusal leaves its LoginFailure row in the session for the caller to commit.

    Raises:
        LoginRefused: one message whatever was wrong.
    """
    if (
        not isinstance(login, str)
        or not isinstance(password, str)
        or not login.strip()
        or not password
        or len(password) > MAX_CODE_LENGTH
        or not AGENT_LOGIN.fullmatch(login.strip().lower())
    ):
        raise LoginRefused(BAD_AGENT_CREDENTIALS)
    now = now or utcnow()
    subject = f"agent:{login.strip().lower()}"
    _throttle(session, subject=subject, client_ip=client_ip, now=now)
    agent = session.exec(select(Agent).where(Agent.login == login.strip().lower())).first()
    verified = verify_secret(agent.password_hash if agent else None, password)
    if not verified or agent is None or agent.disabled_at is not None:
        raise _failed(session, subject=subject, client_ip=client_ip, now=now, message=BAD_AGENT_CREDENTIALS)
    new_hash = rehashed(agent.password_hash, password)
    if new_hash is not None:
        agent.password_hash = new_hash
        session.add(agent)
    return _open_session(session, SessionKind.AGENT, now, agent_id=agent.id)


def agent_for_session(
    *, session: Session, session_id: str, idle_timeout: timedelta = IDLE_TIMEOUT
) -> Agent | None:
    """The agent behind a live agent session (an insured session gives None)."""
    web_session = resolve_session(
        session=session, session_id=session_id, kind=SessionKind.AGENT, idle_timeout=idle_timeout
    )
    if web_session is None or web_session.agent_id is None:
        return None
    agent = session.get(Agent, web_session.agent_id)
    return agent if agent is not None and agent.disabled_at is None else None


# --- Retention: what the periodic purge removes ---

# A session is useless past its absolute expiry; it is kept one more day so that a
# security investigation can still link the day's events to it.
SESSION_RETENTION = ABSOLUTE_TIMEOUT + timedelta(days=1)
# A login failure counts only within FAILURE_WINDOW; kept one day for the same reason.
LOGIN_FAILURE_RETENTION = FAILURE_WINDOW + timedelta(days=1)


@dataclass(frozen=True)
class PurgeReport:
    """How many rows one purge removed."""

    sessions: int
    login_failures: int


def purge_expired(*, session: Session, now: datetime | None = None) -> PurgeReport:
    """Delete the sessions and login failures kept past their retention period.

    A session goes `SESSION_RETENTION` after it was opened (past its absolute
    expiry, whether it was revoked, idle or still marked live); a login failure
    `LOGIN_FAILURE_RETENTION` after it happened. The caller commits.

    Args:
        session: the database session.
        now: the current time (injected by the tests).

    Returns:
        The number of rows deleted, per kind.
    """
    now = now or utcnow()
    sessions = session.execute(delete(WebSession).where(col(WebSession.created_at) < now - SESSION_RETENTION))
    failures = session.execute(
        delete(LoginFailure).where(col(LoginFailure.at) < now - LOGIN_FAILURE_RETENTION)
    )
    return PurgeReport(
        sessions=cast(CursorResult, sessions).rowcount, login_failures=cast(CursorResult, failures).rowcount
    )
