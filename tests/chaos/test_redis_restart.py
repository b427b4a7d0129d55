"""Redis restarted (and emptied) during submissions: the outbox relay queues again
what never reached the broker, or was lost with it."""

from __future__ import annotations

import time

import pytest

from tests.chaos.harness import scenario
from tests.support.redis_server import redis_server
from tests.support.worker import wait_for

pytestmark = [
    pytest.mark.chaos,
    pytest.mark.server_errors_expected(
        "Redis is stopped mid-batch on purpose: the worker logs its connection errors"
    ),
]

# What the worker logs when it notices the broker is gone (Celery's consumer, or our transport).
BROKER_LOST = ("Connection to broker lost", "Broker connection gone", "Cannot connect to redis")


def test_redis_restarted_during_submissions_loses_and_doubles_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with (
        redis_server() as redis,
        scenario("redis_restart", broker_url=redis.url(0), monkeypatch=monkeypatch) as (world, _),
    ):
        # Closures start 2 s after creation: the restart hits the creations, and maybe a few
        # closures (queued again by the relay, which finds the broker emptied).
        world.worker_env["MEDIALOG_AUTO_PROCESS_AFTER"] = "2"
        world.start_worker()
        ids = world.population.account_ids
        third = len(ids) // 3
        world.submit(ids[:third])
        redis.stop()
        down_since = time.monotonic()
        world.submit(ids[third : 2 * third])
        # Down until the worker has noticed (not for a fixed time).
        wait_for(
            lambda: any(text in world.worker_log() for text in BROKER_LOST),
            timeout=60,
            message="le worker constate l'arrêt de Redis",
        )
        redis.start()
        restored_at = time.monotonic()
        world.submit(ids[2 * third :])
        recovery = world.wait_until_settled(since=restored_at)
        figures = world.report(
            recovery,
            faults=world.queue_failures,
            fault_detail=f"Redis arrêté {restored_at - down_since:.1f} s puis relancé vide ; "
            f"{world.queue_failures} tâches refusées par le broker",
        )
        assert world.queue_failures >= third, (
            "the submissions made while Redis was down must have failed to queue"
        )
        world.assert_exactly_once(recovery.outcome)
        world.assert_recovered(figures)
