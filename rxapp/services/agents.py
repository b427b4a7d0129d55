"""Agent accounts managed by the operator: add, disable, change password, list.

Each function takes the caller's Session and never commits: the command line
runs each action in one transaction, so a refused `add` leaves nothing behind.
Each action is written to the security log; a password never is.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Final, cast

from sqlalchemy.engine import CursorResult
from sqlmodel import Session, col, select, update
from zxcvbn import zxcvbn

from rxapp.models import Agent, Cpam, WebSession, utcnow
from rxapp.services.audit import masked, security_event
from rxapp.services.auth import ABSOLUTE_TIMEOUT, AGENT_LOGIN, IDLE_TIMEOUT
from rxapp.services.demo_accounts import DEMO_PASSWORDS
from rxapp.services.security import hash_secret

AGENT_ADDED: Final = "agent_added"
AGENT_DISABLED: Final = "agent_disabled"
AGENT_PASSWORD_CHANGED: Final = "agent_password_changed"
AGENT_ACTION_REFUSED: Final = "agent_action_refused"
CPAM_ADDED: Final = "cpam_added"

MIN_PASSWORD_LENGTH: Final = 12
MAX_PASSWORD_LENGTH: Final = 128
# zxcvbn's score: 0-2 is guessable within about 10^8 tries (its lists of the 30,000 most
# common passwords, names and words, keyboard walks, dates, l33t, repeats).
MIN_PASSWORD_SCORE: Final = 3


class AgentError(Exception):
    """An agent action refused; the message is one French line for the operator."""


@dataclass(frozen=True)
class AgentSummary:
    """One line of `agent list`."""

    login: str
    display_name: str
    cpam: str
    disabled_at: datetime | None
    open_sessions: int


def password_problem(password: str, *, login: str, display_name: str = "") -> str | None:
    """Why `password` is refused for this agent, or None when it is acceptable.

    Refused: a demo password, fewer than 12 characters, the login itself, or a
    password that zxcvbn (Dropbox's estimator and its lists of common passwords)
    scores below 3, taking the login, the name and the demo passwords into account.
    """
    if password in DEMO_PASSWORDS:
        return "le mot de passe de démonstration est refusé"
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"le mot de passe doit compter au moins {MIN_PASSWORD_LENGTH} caractères"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"le mot de passe ne doit pas dépasser {MAX_PASSWORD_LENGTH} caractères"
    if password.strip().lower() == login.strip().lower():
        return "le mot de passe ne doit pas être l'identifiant"
    # zxcvbn also counts words the attacker knows: the login, the name and the published demo passwords.
    login_words = login.replace("-", ".").replace("_", ".").split(".")
    name_words = display_name.split()
    user_inputs = [
        login,
        "".join(login_words),
        *login_words,
        "".join(name_words),
        *name_words,
        *DEMO_PASSWORDS,
    ]
    if zxcvbn(password, user_inputs=[word for word in user_inputs if word])["score"] < MIN_PASSWORD_SCORE:
        return "ce mot de passe est trop courant ou trop facile à deviner"
    return None


def _normalised_login(login: str) -> str:
    normalised = login.strip().lower()
    if not AGENT_LOGIN.fullmatch(normalised):
        raise AgentError(
            "Identifiant invalide : lettres minuscules, chiffres, « . », « _ » ou « - », 60 caractères au plus."
        )
    return normalised


def _agent(session: Session, login: str) -> Agent:
    agent = session.exec(select(Agent).where(Agent.login == _normalised_login(login))).first()
    if agent is None:
        raise AgentError(f"Aucun agent « {login.strip().lower()} ».")
    return agent


def _refused(action: str, login: str, reason: str) -> AgentError:
    security_event(AGENT_ACTION_REFUSED, action=action, login=masked(login.strip().lower()), reason=reason)
    return AgentError(reason[0].upper() + reason[1:] + ".")


def add_agent(*, session: Session, login: str, cpam_code: str, display_name: str, password: str) -> Agent:
    """Create an agent of the CPAM `cpam_code` (as printed, e.g. "01 011 1411").

    Raises:
        AgentError: bad login, login taken, unknown CPAM, empty name or weak password.
    """
    normalised = _normalised_login(login)
    name = " ".join(display_name.split())
    if not name or len(name) > 120:
        raise _refused("add", normalised, "le nom affiché est obligatoire (120 caractères au plus)")
    if session.exec(select(Agent.id).where(Agent.login == normalised)).first() is not None:
        raise _refused("add", normalised, f"l'identifiant « {normalised} » existe déjà")
    cpam = session.exec(select(Cpam).where(Cpam.code_organisme == " ".join(cpam_code.split()))).first()
    if cpam is None or cpam.id is None:
        raise _refused("add", normalised, f"aucune CPAM de code organisme « {cpam_code.strip()} »")
    problem = password_problem(password, login=normalised, display_name=name)
    if problem is not None:
        raise _refused("add", normalised, problem)
    agent = Agent(login=normalised, password_hash=hash_secret(password), display_name=name, cpam_id=cpam.id)
    session.add(agent)
    session.flush()
    security_event(AGENT_ADDED, level=logging.INFO, login=masked(normalised), cpam=cpam.code_organisme)
    return agent


CPAM_CODE = re.compile(r"\d[0-9AB] \d{3} \d{4}")


def add_cpam(*, session: Session, code_organisme: str, name: str, city: str) -> Cpam:
    """Declare a CPAM (its agents are attached to it), e.g. ("01 011 1411", "CPAM de l'Ain", "Bourg-en-Bresse").

    In production the CPAMs come from no demo data: the operator declares each
    one before adding its agents.

    Raises:
        AgentError: malformed code, code already declared, or an empty name or city.
    """
    code = " ".join(code_organisme.split())
    if not CPAM_CODE.fullmatch(code):
        raise AgentError("Code organisme invalide : attendu comme « 01 011 1411 ».")
    name, city = " ".join(name.split()), " ".join(city.split())
    if not name or not city or len(name) > 120 or len(city) > 80:
        raise AgentError("Le nom (120 caractères au plus) et la ville (80 au plus) sont obligatoires.")
    if session.exec(select(Cpam.id).where(Cpam.code_organisme == code)).first() is not None:
        raise AgentError(f"La CPAM « {code} » existe déjà.")
    cpam = Cpam(code_organisme=code, name=name, city=city)
    session.add(cpam)
    session.flush()
    security_event(CPAM_ADDED, level=logging.INFO, cpam=code)
    return cpam


def revoke_agent_sessions(*, session: Session, agent_id: int, now: datetime | None = None) -> int:
    """Revoke every open session of an agent at once; returns how many were open."""
    result = session.execute(
        update(WebSession)
        .where(col(WebSession.agent_id) == agent_id, col(WebSession.revoked_at).is_(None))
        .values(revoked_at=now or utcnow())
    )
    return cast(CursorResult, result).rowcount


def disable_agent(*, session: Session, login: str, now: datetime | None = None) -> int:
    """Disable an agent: no more logins, and every open session revoked now.

    Returns:
        The number of sessions revoked.

    Raises:
        AgentError: unknown login.
    """
    agent = _agent(session, login)
    now = now or utcnow()
    if agent.disabled_at is None:
        agent.disabled_at = now
        session.add(agent)
    assert agent.id is not None
    revoked = revoke_agent_sessions(session=session, agent_id=agent.id, now=now)
    security_event(AGENT_DISABLED, level=logging.INFO, login=masked(agent.login), sessions_revoked=revoked)
    return revoked


def set_agent_password(*, session: Session, login: str, password: str, now: datetime | None = None) -> int:
    """Give an agent a new password and revoke its open sessions.

    A disabled agent stays disabled. Returns the number of sessions revoked.

    Raises:
        AgentError: unknown login or weak password.
    """
    agent = _agent(session, login)
    problem = password_problem(password, login=agent.login, display_name=agent.display_name)
    if problem is not None:
        raise _refused("password", agent.login, problem)
    agent.password_hash = hash_secret(password)
    session.add(agent)
    assert agent.id is not None
    revoked = revoke_agent_sessions(session=session, agent_id=agent.id, now=now)
    security_event(
        AGENT_PASSWORD_CHANGED, level=logging.INFO, login=masked(agent.login), sessions_revoked=revoked
    )
    return revoked


def list_agents(*, session: Session, now: datetime | None = None) -> list[AgentSummary]:
    """Every agent, by login, with its CPAM, status and number of open sessions."""
    now = now or utcnow()
    rows = session.exec(select(Agent, Cpam).join(Cpam).order_by(Agent.login)).all()
    live = session.exec(
        select(WebSession.agent_id).where(
            col(WebSession.agent_id).is_not(None),
            col(WebSession.revoked_at).is_(None),
            col(WebSession.last_seen_at) >= now - IDLE_TIMEOUT,
            col(WebSession.created_at) >= now - ABSOLUTE_TIMEOUT,
        )
    ).all()
    return [
        AgentSummary(
            login=agent.login,
            display_name=agent.display_name,
            cpam=cpam.code_organisme,
            disabled_at=agent.disabled_at,
            open_sessions=live.count(agent.id),
        )
        for agent, cpam in rows
    ]
