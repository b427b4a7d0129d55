"""The app keeps its broker connection between two tasks: a Redis that restarted empty in
between, or is down, loses no task and keeps no one waiting."""

from __future__ import annotations

import time

import pytest
import redis

from tests.support.redis_server import redis_server

QUEUE = "kept-connection"


def test_a_task_sent_on_the_kept_connection_after_redis_restarted_empty_reaches_the_queue(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import backoffice_worker.celery_app as celery_module
    from rxapp import queue
    from rxapp.settings import get_settings

    with redis_server() as server:
        monkeypatch.setenv("REDIS_URL", server.url(0))
        monkeypatch.setenv("CELERY_QUEUE", QUEUE)
        get_settings.cache_clear()
        client = redis.Redis.from_url(server.url(0))
        try:
            monkeypatch.setattr(celery_module, "app", celery_module.make_celery())
            assert queue.queue_affaire_creation(1) is True
            kept = queue._kept.connection
            assert client.llen(QUEUE) == 1
            # Restarted empty while nothing was sent: the kept connection does not know.
            server.stop()
            server.start()
            assert client.dbsize() == 0
            assert queue.queue_affaire_creation(2) is True
            assert client.llen(QUEUE) == 1, "the task sent after the restart must be in the queue"
            # Down: refused at once, and the next task after it comes back goes through.
            server.stop()
            started = time.monotonic()
            assert queue.queue_affaire_creation(3) is False
            assert time.monotonic() - started < 2, "a refused task must not keep the confirmation waiting"
            server.start()
            assert queue.queue_affaire_creation(4) is True
            assert queue._kept.connection is not kept, "a failed connection is not kept"
            assert client.llen(QUEUE) == 1
        finally:
            queue._drop_connection()
            client.close()
            get_settings.cache_clear()
