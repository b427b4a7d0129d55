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
    # Closures follow creations at once: the kill hits creations and closures in flight. A kill
    # between the SMTP server's acceptance of an avis de dépôt and its commit sends it again (SMTP
    # is at least once, see the README): only those may go twice.
    with scenario("sigkill", broker_url=broker, monkeypatch=monkeypatch) as (world, _):
        world.start_worker()  # with the beat
        victim = world.start_worker(beat=False)
        ids = world.population.account_ids
        world.submit(ids[: len(ids) // 2])
        wait_for(lambda: world.outcome().affaires >= 40, timeout=60, message="les premières affaires")
        world.kill_worker(victim)
        killed_at = time.monotonic()
        cut_short = world.sends_cut_short(victim)
        world.submit(ids[len(ids) // 2 :])
        world.start_worker(beat=False)  # restarted, as systemd does
        recovery = world.wait_until_settled(since=killed_at)
        figures = world.report(
            recovery,
            faults=1,
            fault_detail=f"SIGKILL d'un des deux workers en plein lot, relance ; {cut_short} envoi(s) d'avis interrompu(s)",
        )
        world.assert_exactly_once(recovery.outcome, emails_cut_short=cut_short)
        world.assert_recovered(figures)
