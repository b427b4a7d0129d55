"""Reflex 0.10's Redis lock on a tab's state, made safe for an event cancelled while it takes it.

Each event takes its tab's lock with `SET key id NX PX` (`StateManagerRedis._try_get_lock`).
When the tab's socket closes, Reflex cancels the tab's pending hydrate and page-load events
(`BaseStateProcessor._on_disconnect`): a page left quickly, or a full page load. An event
cancelled while its `SET` was on the wire leaves the lock taken by nobody: Redis has run the
`SET`, but the event never learns it and never releases it. Every later event of the tab,
the next page's hydrate included, then waits until the lock expires (`redis_lock_expiration`,
20 s): the page stays on "Chargement…" all that time.

Seen with Reflex's own debug log (REFLEX_STATE_MANAGER_REDIS_DEBUG=1) on full page loads of
the same tab: the lock free by every log line, the next hydrate "waiting" for it 20 s.

`install` wraps `_try_get_lock`: the `SET` runs to its end even when the event is cancelled,
and a lock it took for a cancelled event is released at once, if it is still that event's.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from reflex.istate.manager.redis import StateManagerRedis

logger = logging.getLogger(__name__)

# Deletes the lock only while it still holds this event's id (it may have expired and been
# taken by another event since).
_RELEASE_IF_HELD = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('DEL', KEYS[1])
end
return 0
"""
# The releases under way: a task nobody references can be collected before it ends.
_RELEASES: set[asyncio.Task[Any]] = set()

TryGetLock = Callable[[StateManagerRedis, bytes, bytes], Awaitable[bool | None]]


def cancellation_safe(try_get_lock: TryGetLock) -> TryGetLock:
    """`try_get_lock`, run to its end even when the caller is cancelled; a lock it then took
    is released (the caller will never use it)."""

    @functools.wraps(try_get_lock)
    async def taking(manager: StateManagerRedis, lock_key: bytes, lock_id: bytes) -> bool | None:
        attempt = asyncio.ensure_future(try_get_lock(manager, lock_key, lock_id))
        try:
            return await asyncio.shield(attempt)
        except asyncio.CancelledError:
            attempt.add_done_callback(functools.partial(_release_if_taken, manager, lock_key, lock_id))
            raise

    return taking


def _release_if_taken(
    manager: StateManagerRedis, lock_key: bytes, lock_id: bytes, attempt: asyncio.Future[bool | None]
) -> None:
    if attempt.cancelled() or attempt.exception() is not None or not attempt.result():
        return
    release = asyncio.ensure_future(_release(manager, lock_key, lock_id))
    _RELEASES.add(release)
    release.add_done_callback(_RELEASES.discard)


async def _release(manager: StateManagerRedis, lock_key: bytes, lock_id: bytes) -> None:
    try:
        released = await manager.redis.eval(_RELEASE_IF_HELD, 1, lock_key, lock_id)  # type: ignore[misc]
    except Exception:  # the lock then expires by itself, as before this fix
        logger.warning("Verrou d'état %s d'un événement annulé non libéré", lock_key.decode(), exc_info=True)
        return
    if released:
        logger.debug("Verrou d'état %s d'un événement annulé libéré", lock_key.decode())
        # This process's waiters, as Reflex's own release does (the keyspace notice may come late).
        manager._notify_next_waiter(lock_key)


def install() -> None:
    """Wrap `StateManagerRedis._try_get_lock` (once per process)."""
    current = StateManagerRedis._try_get_lock
    if getattr(current, "__wrapped__", None) is None:
        StateManagerRedis._try_get_lock = cancellation_safe(current)  # type: ignore[method-assign]
