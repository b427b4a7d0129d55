"""The signal that an account got a notification: sent by the worker after its commit, heard by the web.

With Redis, the worker publishes the account id on a channel of that account
(`ameli:notifications:<deployment>:<account id>`); every web process listens to the
pattern and refreshes the dashboards it holds for that account (rxapp/live_updates.py).
Pub/sub channels are shared by every database number of a Redis server: the
deployment part (a digest of the database's name and the Redis database number) keeps
two deployments, or two test runs, on one Redis from hearing each other. It is not the
whole `DATABASE_URL`: instances that reach the same database through another host or
port (a pooler, a proxy) must still hear the worker.

Without Redis (the embedded default: one web process, the worker in another), nothing
is published: the web process reads the notifications newer than the last it saw
(`notifications_after`), one cheap statement per period while a dashboard is open.

The signal carries nothing but an account id: the dashboard reloads through its gated
handler, which reads only its own session's account.
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from rxapp.models import Notification
from rxapp.settings import Settings

logger = logging.getLogger(__name__)

CHANNEL_PREFIX = "ameli:notifications"
REDIS_TIMEOUT = 1.0

_clients: dict[str, Any] = {}


def account_channel(settings: Settings, account_id: int) -> str:
    """The channel on which a notification of `account_id` is announced."""
    return f"{CHANNEL_PREFIX}:{settings.deployment_key}:{account_id}"


def channel_pattern(settings: Settings) -> str:
    """The pattern a web process subscribes to: every account of this deployment."""
    return f"{CHANNEL_PREFIX}:{settings.deployment_key}:*"


def account_of_channel(channel: str | bytes) -> int | None:
    """The account id a channel names, or None for anything else."""
    text = channel.decode() if isinstance(channel, bytes) else channel
    _, _, tail = text.rpartition(":")
    return int(tail) if tail.isdecimal() else None


def _redis(url: str) -> Any:
    import redis

    client = _clients.get(url)
    if client is None:
        client = _clients[url] = redis.Redis.from_url(
            url, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT
        )
    return client


def announce(settings: Settings, account_id: int) -> bool:
    """Tell the web processes that `account_id` has a new notification; call it after the commit.

    Best effort: on a Redis error the notification is still in the database, and the
    dashboard shows it at its next load (logged, never raised).

    Returns:
        Whether the signal was published (False without Redis, or on a Redis error).
    """
    if settings.redis_url is None:
        return False
    import redis

    try:
        _redis(settings.redis_url).publish(account_channel(settings, account_id), str(account_id))
    except redis.RedisError as error:
        logger.warning("Notification signal not published: %s", type(error).__name__)
        return False
    return True


def newest_notification_id(*, session: Session) -> int:
    """The highest notification id (0 when there is none): where the embedded watch starts."""
    newest = session.exec(select(sa.func.max(Notification.id))).one()
    return newest or 0


def notifications_after(*, session: Session, after_id: int) -> tuple[int, set[int]]:
    """The notifications newer than `after_id`: the newest id seen, and the accounts they belong to."""
    rows = session.exec(
        select(Notification.id, Notification.account_id)
        .where(col(Notification.id) > after_id)
        .order_by(col(Notification.id))
    ).all()
    newest = max((row[0] for row in rows if row[0] is not None), default=after_id)
    return newest, {row[1] for row in rows}
