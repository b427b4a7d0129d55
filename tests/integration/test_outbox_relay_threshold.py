"""How old a pending request must be before the outbox relay queues it again, read from a
real Redis broker: everything when the broker lost its data, 8 s while its queue is empty,
30 s while a backlog waits in it."""

from __future__ import annotations

import pytest
import redis

from tests.support.redis_server import redis_server


def test_the_relay_threshold_follows_the_broker(monkeypatch: pytest.MonkeyPatch) -> None:
    from backoffice_worker import tasks
    from rxapp.settings import get_settings

    with redis_server() as server:
        monkeypatch.setenv("REDIS_URL", server.url(0))
        monkeypatch.setenv("CELERY_QUEUE", "relay-threshold")
        get_settings.cache_clear()
        monkeypatch.setattr(tasks, "_redis_clients", {})
        client = redis.Redis.from_url(server.url(0))
        try:
            # A fresh broker (or the first run ever): everything pending is relayed, once.
            assert tasks._relay_threshold().total_seconds() == 0
            assert tasks._relay_threshold() == tasks.OUTBOX_IDLE_STALE_AFTER
            # Tasks waiting in the queue (any priority step): a pending request may be one of them.
            client.rpush("relay-threshold\x06\x166", "a task")
            assert tasks._relay_threshold() == tasks.OUTBOX_STALE_AFTER
            client.delete("relay-threshold\x06\x166")
            assert tasks._relay_threshold() == tasks.OUTBOX_IDLE_STALE_AFTER
            # Redis restarted empty: its queues are gone, the relay queues everything again.
            server.stop()
            server.start()  # the worker's client reconnects by itself
            assert tasks._relay_threshold().total_seconds() == 0
            assert tasks._relay_threshold() == tasks.OUTBOX_IDLE_STALE_AFTER
        finally:
            client.close()
            get_settings.cache_clear()
