"""Per-address counters in one-minute windows: in memory, or in Redis for several web instances."""

from __future__ import annotations

import logging
import time
from typing import Any, Protocol

from rxapp.services.event_budget import WINDOW_SECONDS, WindowCounter, window_of

logger = logging.getLogger(__name__)

KEY_PREFIX = "ameli:budget"


# The most counts a process claims from Redis at once (see `RedisAddressCounter`), and the most
# addresses it keeps claims for.
MAX_BLOCK = 32
MAX_CLAIMS = 100_000


def claim_block(limit: int) -> int:
    """How many counts of a budget of `limit` a web process claims from Redis at once.

    A hundredth of the budget, capped: a process sitting on a claimed block can refuse
    another process's event at most that many counts early, and never admits more than
    the budget. Small budgets (sockets, logins, tests) are counted one by one.
    """
    return max(1, min(MAX_BLOCK, limit // 100))


class AddressCounter(Protocol):
    async def add(self, kind: str, address: str, block: int = 1) -> int:
        """Count one `kind` (socket, event, login) for `address`; return its rank in the window.

        `block` (`claim_block`) lets a counter shared by several processes reserve that many
        counts at once; the rank is then at most the window's total, and no two counts of
        the window get the same rank.
        """
        ...


class MemoryAddressCounter:
    """The embedded default: one process, one web instance."""

    def __init__(self) -> None:
        self._counter = WindowCounter()

    async def add(self, kind: str, address: str, block: int = 1) -> int:
        return self._counter.add(f"{kind}:{address}", time.time())


class _LazyRedis:
    """An asyncio Redis client made at first use, with short timeouts: a slow Redis must not
    hold a handshake or an event for long."""

    _url: str  # "" for none: callers ask only when it is set
    _client: Any = None

    def _redis(self) -> Any:
        if self._client is None:
            import redis.asyncio

            self._client = redis.asyncio.Redis.from_url(
                self._url, socket_timeout=0.5, socket_connect_timeout=0.5
            )
        return self._client


class RedisAddressCounter(_LazyRedis):
    """Shared by every web instance: an `INCRBY` per claimed block, the key expiring after two windows.

    With a block of 1, each count is one round trip to Redis. With a block of n, the
    process takes n ranks at once (`INCRBY n` returns the last) and hands them out to
    its next counts of that window without asking Redis again: the ranks of all the
    processes stay distinct and at most the window's total, so a budget still admits
    at most its limit; ranks a process has claimed but not used only make the others
    reach the limit sooner.

    Redis being unreachable must not stop the site: the count falls back to this
    process's memory (a warning naming the error's class, once per window).
    """

    def __init__(self, url: str, deployment: str = "") -> None:
        self._url = url
        # Two deployments on one Redis (two test runs, staging beside production) keep apart.
        self._prefix = f"{KEY_PREFIX}:{deployment}" if deployment else KEY_PREFIX
        self._fallback = MemoryAddressCounter()
        self._warned_window = -1
        # (kind, address) -> [next rank to hand out, last rank claimed], for `_claims_window` only.
        self._claims: dict[tuple[str, str], list[int]] = {}
        self._claims_window = -1

    def _claimed_rank(self, window: int, kind: str, address: str) -> int | None:
        if window != self._claims_window:  # a new minute: the old claims count for nothing
            self._claims.clear()
            self._claims_window = window
        claim = self._claims.get((kind, address))
        if claim is None or claim[0] > claim[1]:
            return None
        claim[0] += 1
        return claim[0] - 1

    async def add(self, kind: str, address: str, block: int = 1) -> int:
        window = window_of(time.time())
        if block > 1 and (rank := self._claimed_rank(window, kind, address)) is not None:
            return rank
        key = f"{self._prefix}:{kind}:{address}:{window}"
        try:
            async with self._redis().pipeline(transaction=False) as pipe:
                pipe.incrby(key, block)
                pipe.expire(key, int(2 * WINDOW_SECONDS))
                last, _ = await pipe.execute()
            first = int(last) - block + 1
            # Kept for this window only (the round trip may have crossed into the next one).
            if block > 1 and window == self._claims_window:
                if len(self._claims) >= MAX_CLAIMS:
                    self._claims.clear()  # what is dropped was only ever counted early
                self._claims[(kind, address)] = [first + 1, int(last)]
            return first
        except Exception as error:
            if self._warned_window != window:
                self._warned_window = window
                logger.warning("Address budget counted locally, Redis failed: %s", type(error).__name__)
            return await self._fallback.add(kind, address)


def address_counter(redis_url: str | None, deployment: str = "") -> AddressCounter:
    """The counter for this deployment (`Settings.deployment_key`): Redis when `REDIS_URL` is set,
    shared by all its web instances, else memory."""
    return RedisAddressCounter(redis_url, deployment) if redis_url else MemoryAddressCounter()


class Cooldowns(_LazyRedis):
    """Addresses whose new sockets are refused for a while (after they flooded), in this process's
    memory and, when there is one, in Redis for every web instance (`SET ... EX`).

    A handshake is checked against memory first; Redis is asked at most once a second per
    address, so a refused flood of handshakes costs no Redis round trip each.
    """

    def __init__(self, redis_url: str | None, deployment: str = "") -> None:
        self._url = redis_url or ""
        self._key = f"{KEY_PREFIX}:{deployment}:cooldown" if deployment else f"{KEY_PREFIX}:cooldown"
        self._until: dict[str, float] = {}  # address -> end of its cool-down (monotonic)
        self._checked: dict[str, float] = {}  # address -> when Redis last said "none"

    async def start(self, address: str, seconds: float) -> None:
        """Refuse `address`'s new sockets for `seconds`, here and on the other instances."""
        self._until[address] = time.monotonic() + seconds
        if self._url:
            try:
                await self._redis().set(f"{self._key}:{address}", 1, px=int(seconds * 1000))
            except Exception as error:
                logger.warning("Cool-down kept locally, Redis failed: %s", type(error).__name__)

    async def active(self, address: str) -> bool:
        """Whether `address` is cooling down."""
        now = time.monotonic()
        if self._until.get(address, 0.0) > now:
            return True
        self._until.pop(address, None)
        if not self._url or now - self._checked.get(address, -1e9) < 1.0:
            return False
        if len(self._checked) > 10_000:
            self._checked.clear()
        self._checked[address] = now
        try:
            left = await self._redis().pttl(f"{self._key}:{address}")
        except Exception:
            return False  # Redis unreachable: the other budgets still hold
        if left is None or left <= 0:
            return False
        self._until[address] = now + left / 1000
        return True
