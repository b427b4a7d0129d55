"""FranceConnect logins and logouts under way: kept server-side, one use each, short-lived.

A flow is keyed by its random `state` (only its SHA-256 is used as the key) and
holds what the return must check: the nonce, and the hash of the random value the
browser got in an HttpOnly cookie (which binds the flow to that browser). Redis
keeps flows when it is configured (GETDEL makes a flow usable once, even across
backend workers); otherwise the database does (`franceconnect_flow`).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import delete
from sqlmodel import Session, col

from rxapp.models import FranceConnectFlow, utcnow

FLOW_LIFETIME = timedelta(minutes=10)
LOGIN = "login"
LOGOUT = "logout"
_REDIS_PREFIX = "ameli:franceconnect:flow:"


def random_value() -> str:
    """A random value of 43 URL-safe characters (256 bits), for state, nonce and binding."""
    return secrets.token_urlsafe(32)


def digest(value: str) -> str:
    """The SHA-256 of a value, in hex."""
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True)
class Flow:
    """What a return from FranceConnect is checked against."""

    purpose: str
    nonce: str = ""
    binding_hash: str = ""


class FlowStore(Protocol):
    def put(self, state: str, flow: Flow) -> None: ...

    def take(self, state: str) -> Flow | None: ...


def _encode(flow: Flow) -> str:
    return json.dumps({"purpose": flow.purpose, "nonce": flow.nonce, "binding_hash": flow.binding_hash})


def _decode(raw: str | bytes) -> Flow:
    data = json.loads(raw)
    return Flow(purpose=data["purpose"], nonce=data["nonce"], binding_hash=data["binding_hash"])


class RedisFlowStore:
    """Flows in Redis, expiring by themselves."""

    def __init__(self, client) -> None:  # a redis.Redis
        self._client = client

    def put(self, state: str, flow: Flow) -> None:
        """Keep a flow until its state comes back, at most FLOW_LIFETIME."""
        self._client.set(_REDIS_PREFIX + digest(state), _encode(flow), ex=FLOW_LIFETIME)

    def take(self, state: str) -> Flow | None:
        """The flow of this state, removed at once (a replayed state finds nothing)."""
        raw = self._client.getdel(_REDIS_PREFIX + digest(state))
        return _decode(raw) if raw else None


class DatabaseFlowStore:
    """Flows in the database; each call is its own transaction."""

    def __init__(self, session_factory) -> None:  # a context manager factory giving a Session
        self._session_factory = session_factory

    def put(self, state: str, flow: Flow, *, now: datetime | None = None) -> None:
        """Keep a flow (and drop the expired ones)."""
        now = now or utcnow()
        with self._session_factory() as session:
            _purge(session, now)
            session.add(
                FranceConnectFlow(
                    state_hash=digest(state),
                    purpose=flow.purpose,
                    data=_encode(flow),
                    expires_at=now + FLOW_LIFETIME,
                )
            )

    def take(self, state: str, *, now: datetime | None = None) -> Flow | None:
        """The live flow of this state, deleted in the same transaction."""
        now = now or utcnow()
        with self._session_factory() as session:
            row = session.execute(
                delete(FranceConnectFlow)
                .where(col(FranceConnectFlow.state_hash) == digest(state))
                .returning(col(FranceConnectFlow.data), col(FranceConnectFlow.expires_at))
            ).first()
        if row is None or row[1] < now:
            return None
        return _decode(row[0])


def _purge(session: Session, now: datetime) -> None:
    session.execute(delete(FranceConnectFlow).where(col(FranceConnectFlow.expires_at) < now))
