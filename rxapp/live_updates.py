"""Live notifications: a closure reaches the open dashboards by push, not by polling.

The worker announces each new notification after its commit
(rxapp/services/notification_signal.py). Each web process runs one listener (a lifespan
task) and keeps in memory which tabs, among those whose websocket it holds, show the
dashboard of which account: the dashboard's gated on_load registers them. On a signal,
the listener sends those tabs one event, the dashboard's `refresh_notifications`; the
browser sends it back as it would a click, so the gate re-checks the session before
anything is read, and the handler reads only that session's account. An idle dashboard
costs no SQL at all.

- With Redis: one pattern subscription per web process. After the subscription was lost
  (Redis restarted), every registered tab refreshes once, so a signal sent meanwhile is
  not lost.
- Without Redis (the embedded default): the process reads the notifications newer than
  the last it saw, every WATCH_PERIOD seconds while at least one dashboard is open: one
  statement per period, whatever the number of dashboards.

A tab whose socket closed, or moved to another web process, is forgotten here (that
process registers it at its own on_load).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable
from typing import Any

from reflex.event import Event, EventHandler
from reflex.state import StateUpdate

from rxapp.db import session_scope
from rxapp.services import notification_signal
from rxapp.settings import get_settings

logger = logging.getLogger(__name__)

WATCH_PERIOD = 2.0
PRUNE_PERIOD = 30.0
RETRY_MAX = 10.0


class OpenDashboards:
    """The tabs of this process showing a dashboard, and whose account each one showed."""

    def __init__(self) -> None:
        self._account_of: dict[str, int] = {}

    def register(self, token: str, account_id: int) -> None:
        if token:
            self._account_of[token] = account_id

    def forget(self, token: str) -> None:
        self._account_of.pop(token, None)

    def tokens_of(self, account_id: int) -> list[str]:
        return [token for token, owner in self._account_of.items() if owner == account_id]

    def tokens(self) -> list[str]:
        return list(self._account_of)

    def __len__(self) -> int:
        return len(self._account_of)


OPEN_DASHBOARDS = OpenDashboards()


def _held_here(app: Any, tokens: Iterable[str]) -> list[str]:
    """The tokens whose socket this process holds; the others are forgotten."""
    manager = app.event_namespace._token_manager
    held = []
    for token in tokens:
        record = manager.token_to_socket.get(token)
        if record is not None and record.instance_id == manager.instance_id:
            held.append(token)
        else:
            OPEN_DASHBOARDS.forget(token)
    return held


def prune(app: Any) -> None:
    """Forget the tabs whose socket closed or moved (memory only, no SQL)."""
    if app.event_namespace is not None:
        _held_here(app, OPEN_DASHBOARDS.tokens())


async def refresh(app: Any, tokens: Iterable[str], handler: EventHandler) -> int:
    """Ask each tab held here to call `handler` (no arguments); returns how many were asked."""
    if app.event_namespace is None:
        return 0
    update = StateUpdate(events=Event.from_event_type(handler))
    held = _held_here(app, tokens)
    for token in held:
        await app.event_namespace.emit_update(update, token)
    return len(held)


async def _listen(app: Any, handler: EventHandler) -> None:
    """Redis: refresh an account's tabs on each signal; on a reconnection, every tab once."""
    import redis.asyncio as aioredis
    from redis.exceptions import RedisError

    settings = get_settings()
    assert settings.redis_url is not None
    client = aioredis.Redis.from_url(settings.redis_url, health_check_interval=PRUNE_PERIOD)
    delay, subscribed_before = 0.5, False
    try:
        while True:
            try:
                async with client.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.psubscribe(notification_signal.channel_pattern(settings))
                    if subscribed_before:  # signals sent while we were away are lost: catch up
                        await refresh(app, OPEN_DASHBOARDS.tokens(), handler)
                    subscribed_before, delay = True, 0.5
                    pruned = time.monotonic()
                    while True:
                        message = await pubsub.get_message(timeout=PRUNE_PERIOD)
                        if time.monotonic() - pruned >= PRUNE_PERIOD:
                            prune(app)
                            pruned = time.monotonic()
                        if message is None:
                            continue
                        account_id = notification_signal.account_of_channel(message.get("channel", b""))
                        if account_id is not None:
                            await refresh(app, OPEN_DASHBOARDS.tokens_of(account_id), handler)
            except (RedisError, OSError) as error:
                logger.warning(
                    "Live notifications: Redis subscription lost (%s), retrying", type(error).__name__
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, RETRY_MAX)
    finally:
        await client.aclose()


async def _watch(app: Any, handler: EventHandler) -> None:
    """No Redis: read the notifications newer than the last seen, while a dashboard is open."""
    from sqlalchemy.exc import SQLAlchemyError

    def newest() -> int:
        with session_scope() as session:
            return notification_signal.newest_notification_id(session=session)

    def after(last: int) -> tuple[int, set[int]]:
        with session_scope() as session:
            return notification_signal.notifications_after(session=session, after_id=last)

    last: int | None = None
    while True:
        await asyncio.sleep(WATCH_PERIOD)
        prune(app)
        if not OPEN_DASHBOARDS:
            continue
        try:
            if last is None:  # the first dashboard since start: it may have loaded before our baseline
                last = await asyncio.to_thread(newest)
                await refresh(app, OPEN_DASHBOARDS.tokens(), handler)
                continue
            last, accounts = await asyncio.to_thread(after, last)
        except SQLAlchemyError as error:
            logger.warning("Live notifications: database error %s", type(error).__name__)
            continue
        for account_id in accounts:
            await refresh(app, OPEN_DASHBOARDS.tokens_of(account_id), handler)


async def live_notifications(app: Any, handler: EventHandler) -> None:
    """Lifespan task of each web process: the Redis listener, or the embedded watch."""
    if get_settings().uses_redis:
        await _listen(app, handler)
    else:
        await _watch(app, handler)
