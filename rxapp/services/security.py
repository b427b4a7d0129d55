"""Secrets: argon2 hashes for codes and passwords, random session ids."""

from __future__ import annotations

import functools
import hashlib
import secrets
from collections.abc import Callable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# A hash of a random value, verified when an account does not exist so that a
# wrong NIR costs the same time as a wrong code (no account enumeration).
_DUMMY_SECRET = secrets.token_urlsafe(16)

# Called after each argon2 verification (the edges count them; a rule carries no counter).
VERIFICATION_LISTENERS: list[Callable[[], None]] = []


@functools.cache
def _hasher() -> PasswordHasher:
    # OWASP's argon2id minimum (m=19 MiB, t=2, p=1) rather than argon2-cffi's default
    # (RFC 9106 low-memory, m=64 MiB, t=3, p=4): on a 2-core server a login then costs
    # about a fifth of the CPU; hashes made with other parameters are redone at login.
    return PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


@functools.cache
def _dummy_hash() -> str:
    return _hasher().hash(_DUMMY_SECRET)


def hash_secret(secret: str) -> str:
    """The argon2id hash of a code or password."""
    return _hasher().hash(secret)


def verify_secret(secret_hash: str | None, secret: str) -> bool:
    """Check `secret` against `secret_hash`, in constant time whether or not a hash exists."""
    for listener in VERIFICATION_LISTENERS:
        listener()
    try:
        return _hasher().verify(secret_hash or _dummy_hash(), secret) and secret_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def rehashed(secret_hash: str, secret: str) -> str | None:
    """A new hash of a verified `secret` when `secret_hash` used other parameters, else None."""
    return _hasher().hash(secret) if _hasher().check_needs_rehash(secret_hash) else None


def new_session_id() -> str:
    """A random session id of 256 bits, for the browser's cookie."""
    return secrets.token_urlsafe(32)


def session_id_hash(session_id: str) -> str:
    """What the database stores of a session id."""
    return hashlib.sha256(session_id.encode()).hexdigest()
