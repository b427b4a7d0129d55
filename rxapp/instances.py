"""Tabs held by a web instance that died without a word get their state back on another one.

Reflex's Redis token manager records which backend process holds each tab's socket
(`token_manager_socket_record_<token>`, kept an hour). A new socket whose token is already
recorded is taken for a duplicated browser tab and given a new token, that is a fresh state.
When a process is killed (SIGKILL, out of memory, a crash) it cannot delete its records: every
tab it held reconnects to another instance as a stranger and loses its state — a person on
the recap page is sent back to step 1 with no choice left.

So each backend process holds a Redis subscription of its own (`rxapp:reflex-instance:<id>`)
for as long as it lives: the kernel closes a killed process's connections at once, and Redis
then counts no subscriber on its channel. On connect, a token recorded for a process with no
subscriber left is released before Reflex looks at it. A true duplicate (the same tab token
open twice at once, on a living instance) is left to Reflex as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import pickle
from typing import Any, Final

logger = logging.getLogger(__name__)

PRESENCE_PREFIX: Final = "rxapp:reflex-instance:"
# Delete the record only if it is still the one read: another instance may have just linked it.
_DELETE_IF_UNCHANGED: Final = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

_presences: dict[int, asyncio.Task] = {}


def _redis_token_manager(token_manager: Any) -> Any | None:
    from reflex.utils.token_manager import RedisTokenManager

    return token_manager if isinstance(token_manager, RedisTokenManager) else None


async def _hold_presence(manager: Any, subscribed: asyncio.Event) -> None:
    """Stay subscribed to this process's channel; subscribe again after a Redis outage."""
    while True:
        try:
            async with manager.redis.pubsub() as pubsub:
                await pubsub.subscribe(f"{PRESENCE_PREFIX}{manager.instance_id}")
                subscribed.set()
                while True:
                    await pubsub.get_message(ignore_subscribe_messages=True, timeout=30.0)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            logger.warning("Instance presence lost (%s); subscribing again", type(error).__name__)
            await asyncio.sleep(1.0)


async def _ensure_presence(manager: Any) -> None:
    """Subscribe this process (one task per event loop) before it records any socket."""
    loop = asyncio.get_running_loop()
    task = _presences.get(id(loop))
    if task is None or task.done():
        subscribed = asyncio.Event()
        task = _presences[id(loop)] = loop.create_task(
            _hold_presence(manager, subscribed), name="rxapp-instance-presence"
        )
        await asyncio.wait_for(subscribed.wait(), timeout=5.0)


async def release_orphaned_token(token_manager: Any, token: str | None) -> bool:
    """Before Reflex links `token` to a new socket: forget a record left by a dead instance.

    Returns:
        True when a record was released. Errors are logged and leave Reflex's behaviour unchanged.
    """
    manager = _redis_token_manager(token_manager)
    if manager is None or not token:
        return False
    try:
        await _ensure_presence(manager)
        key = manager._get_redis_key(token)
        raw = await manager.redis.get(key)
        if not raw:
            return False
        owner = pickle.loads(raw).instance_id
        if owner == manager.instance_id:
            return False
        [(_, subscribers)] = await manager.redis.pubsub_numsub(f"{PRESENCE_PREFIX}{owner}")
        if subscribers:
            return False
        released = bool(await manager.redis.eval(_DELETE_IF_UNCHANGED, 1, key, raw))
    except Exception as error:
        logger.warning("Orphaned tab check skipped (%s)", type(error).__name__)
        return False
    if released:
        logger.info("Tab taken over from a web instance that is gone")
    return released


async def stop_presence() -> None:
    """Stop this loop's presence task (tests)."""
    task = _presences.pop(id(asyncio.get_running_loop()), None)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
