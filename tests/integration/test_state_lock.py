"""A tab's state lock in Redis is not left taken by an event cancelled while it took it
(rxapp/state_lock.py): the next page's hydrate waited for its 20 s expiry."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable

from redis.asyncio import Redis
from reflex.istate.manager.redis import StateManagerRedis

from rxapp.state_lock import cancellation_safe, install
from tests.support.worker import broker_url_for_tests, require_redis

run = asyncio.run


async def _until(condition: Callable[[], Awaitable[bool]], timeout: float = 5) -> bool:
    """Whether `condition` came true within `timeout` seconds (checked every 20 ms)."""
    deadline = time.monotonic() + timeout
    while not await condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True


class _SlowReply:
    """Reflex's own `SET NX`, on the real Redis, whose reply is held until `reply` is set: the
    window in which a cancelled event has taken the lock without knowing it."""

    def __init__(self) -> None:
        self.reply = asyncio.Event()
        self.original = getattr(
            StateManagerRedis._try_get_lock, "__wrapped__", StateManagerRedis._try_get_lock
        )

    async def __call__(self, manager: StateManagerRedis, lock_key: bytes, lock_id: bytes) -> bool | None:
        taken = await self.original(manager, lock_key, lock_id)
        await self.reply.wait()
        return taken


def _manager() -> StateManagerRedis:
    require_redis(broker_url_for_tests())
    return StateManagerRedis(redis=Redis.from_url(broker_url_for_tests()))


def _lock_key() -> bytes:
    return f"test-state-lock-{uuid.uuid4()}_lock".encode()


def test_a_lock_taken_for_a_cancelled_event_is_released() -> None:
    async def scenario() -> None:
        manager, key, slow = _manager(), _lock_key(), _SlowReply()
        try:
            taking = asyncio.create_task(cancellation_safe(slow)(manager, key, b"cancelled-event"))
            assert await _until(lambda: _holds(manager, key, b"cancelled-event")), "the SET never ran"
            taking.cancel()
            slow.reply.set()
            (outcome,) = await asyncio.gather(taking, return_exceptions=True)
            assert isinstance(outcome, asyncio.CancelledError)
            assert await _until(lambda: _free(manager, key)), "the cancelled event's lock is still held"
        finally:
            await manager.redis.delete(key)
            await manager.redis.aclose()

    run(scenario())


def test_a_lock_taken_since_by_another_event_is_left_alone() -> None:
    async def scenario() -> None:
        manager, key, slow = _manager(), _lock_key(), _SlowReply()
        try:
            taking = asyncio.create_task(cancellation_safe(slow)(manager, key, b"cancelled-event"))
            assert await _until(lambda: _holds(manager, key, b"cancelled-event"))
            taking.cancel()
            # It expired and the next event took it before the reply came back.
            await manager.redis.set(key, b"next-event", px=20_000)
            slow.reply.set()
            await asyncio.gather(taking, return_exceptions=True)
            # The release, if one ran, has had its round trip: a second command is answered after it.
            assert await _until(lambda: _holds(manager, key, b"next-event"))
            await manager.redis.ping()
            assert await manager.redis.get(key) == b"next-event"
        finally:
            await manager.redis.delete(key)
            await manager.redis.aclose()

    run(scenario())


def test_an_event_not_cancelled_keeps_its_lock_and_the_fix_is_installed_once() -> None:
    install()
    install()
    wrapped = StateManagerRedis._try_get_lock
    assert wrapped.__wrapped__ is not None and getattr(wrapped.__wrapped__, "__wrapped__", None) is None

    async def scenario() -> None:
        manager, key = _manager(), _lock_key()
        try:
            assert await manager._try_get_lock(key, b"event") is True
            assert await manager._try_get_lock(key, b"other-event") is None
            assert await manager.redis.get(key) == b"event"
        finally:
            await manager.redis.delete(key)
            await manager.redis.aclose()

    run(scenario())


async def _holds(manager: StateManagerRedis, key: bytes, lock_id: bytes) -> bool:
    return await manager.redis.get(key) == lock_id


async def _free(manager: StateManagerRedis, key: bytes) -> bool:
    return await manager.redis.get(key) is None
