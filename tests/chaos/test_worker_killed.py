"""The worker killed with SIGKILL in the middle of its tasks, then restarted."""

from __future__ import annotations

import time

import pytest

from tests.chaos.harness import scenario
from tests.support.worker import broker_url_for_tests, require_redis, wait_for

pytestmark = [
    pytest.mark.chaos,
    pytest.mark.server_errors_expected("the worker is SIGKILLed mid-batch on purpose"),
]


def test_worker_killed_mid_batch_loses_and_doubles_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    broker = broker_url_for_tests()
    require_redis(broker)
    # Closures start 15 s after creation, once the new worker runs: the kill hits creations.
    with scenario("sigkill", broker_url=broker, monkeypatch=monkeypatch) as (world, _):
        world.worker_env["MEDIALOG_AUTO_PROCESS_AFTER"] = "15"
        world.start_worker()
        ids = world.population.account_ids
        world.submit(ids[: len(ids) // 2])
        wait_for(lambda: world.outcome().affaires >= 40, timeout=60, message="les premières affaires")
        world.kill_worker()
        killed_at = time.monotonic()
        world.submit(ids[len(ids) // 2 :])
        world.start_worker()
        outcome, recovery = world.wait_until_settled(since=killed_at)
        world.report(outcome, recovery, faults=1, fault_detail="SIGKILL du worker et de son beat, relance")
        world.assert_exactly_once(outcome)
