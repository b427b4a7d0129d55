"""A worker killed with SIGKILL in the middle of its tasks, then restarted: as in production,
another worker keeps running; the dead worker's unacknowledged tasks come back once their
visibility timeout has passed."""

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
    # No beat before the kill, so no closure (the stand-in agent is a beat task): the kill hits
    # creations only. A kill between the SMTP server's acceptance of an avis de dépôt and its
    # commit would send it again (SMTP is at least once, see the README).
    with scenario("sigkill", broker_url=broker, monkeypatch=monkeypatch) as (world, _):
        world.start_worker(beat=False)
        victim = world.start_worker(beat=False)
        ids = world.population.account_ids
        world.submit(ids[: len(ids) // 2])
        wait_for(lambda: world.outcome().affaires >= 40, timeout=60, message="les premières affaires")
        world.kill_worker(victim)
        killed_at = time.monotonic()
        world.submit(ids[len(ids) // 2 :])
        world.start_worker()  # restarted, as systemd does; with the beat
        outcome, recovery = world.wait_until_settled(since=killed_at)
        figures = world.report(
            outcome, recovery, faults=1, fault_detail="SIGKILL d'un des deux workers en plein lot, relance"
        )
        world.assert_exactly_once(outcome)
        world.assert_recovered_in_time(figures)
