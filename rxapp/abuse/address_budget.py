"""Per-address counters in one-minute windows: in memory, or in Redis for several web instances."""

from __future__ import annotations

import logging
import time
from typing import Protocol

from rxapp.services.event_budget import WINDOW_SECONDS, WindowCounter, window_of

logger = logging.getLogger(__name__)

KEY_PREFIX = "ameli:budget"


class AddressCounter(Protocol):
    async def add(self, kind: str, address: str) -> int:
        """Count one `kind` (socket, event, login) for `address`; return the window's total."""
        ...


class MemoryAddressCounter:
    """The embedded default: one process, one web instance."""

    def __init__(self) -> None:
        self._counter = WindowCounter()

    async def add(self, kind: str, address: str) -> int:
        return self._counter.add(f"{kind}:{address}", time.time())


class RedisAddressCounter:
    """Shared by every web instance: one `INCR` a counted event, the key expiring after two windows.

    Redis being unreachable must not stop the site: the count falls back to this
    process's memory (a warning naming the error's class, once per window).
    """

    def __init__(self, url: str, deployment: str = "") -> None:
        self._url = url
        # Two deployments on one Redis (two test runs, staging beside production) keep apart.
        self._prefix = f"{KEY_PREFIX}:{deployment}" if deployment else KEY_PREFIX
        self._client = None
        self._fallback = MemoryAddressCounter()
        self._warned_window = -1

    def _redis(self):
        if self._client is None:
            import redis.asyncio

            self._client = redis.asyncio.Redis.from_url(
                self._url, socket_timeout=0.5, socket_connect_timeout=0.5
            )
        return self._client

    async def add(self, kind: str, address: str) -> int:
        window = window_of(time.time())
        key = f"{self._prefix}:{kind}:{address}:{window}"
        try:
            async with self._redis().pipeline(transaction=False) as pipe:
                pipe.incr(key)
                pipe.expire(key, int(2 * WINDOW_SECONDS))
                count, _ = await pipe.execute()
            return int(count)
        except Exception as error:
            if self._warned_window != window:
                self._warned_window = window
                logger.warning("Address budget counted locally, Redis failed: %s", type(error).__name__)
            return await self._fallback.add(kind, address)


def address_counter(redis_url: str | None, deployment: str = "") -> AddressCounter:
    """The counter for this deployment (`Settings.deployment_key`): Redis when `REDIS_URL` is set,
    shared by all its web instances, else memory."""
    return RedisAddressCounter(redis_url, deployment) if redis_url else MemoryAddressCounter()
