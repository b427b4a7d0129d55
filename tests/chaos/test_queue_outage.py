"""Regression found by the chaos suite: with the broker down, each queueing waited about
6 s in kombu's connection retries, so "Confirmer" hung that long for the insured. It now
fails at once (the outbox relay queues the task later)."""

from __future__ import annotations

import time

import pytest

from tests.support.redis_server import redis_server


def test_queueing_fails_at_once_while_the_broker_is_down(monkeypatch: pytest.MonkeyPatch) -> None:
    import backoffice_worker.celery_app as celery_module
    from rxapp import queue
    from rxapp.settings import get_settings

    with redis_server() as redis:
        monkeypatch.setenv("REDIS_URL", redis.url(0))
        monkeypatch.setenv("CELERY_QUEUE", "queue-outage")
        get_settings.cache_clear()
        try:
            monkeypatch.setattr(celery_module, "app", celery_module.make_celery())
            assert queue.queue_affaire_creation(1) is True
            redis.stop()
            started = time.monotonic()
            results = [queue.queue_affaire_creation(request_id) for request_id in range(2, 7)]
            elapsed = time.monotonic() - started
            redis.start()
            assert queue.queue_affaire_creation(7) is True
        finally:
            get_settings.cache_clear()
    assert results == [False] * 5
    assert elapsed < 2, f"{elapsed:.1f} s pour 5 envois refusés"
