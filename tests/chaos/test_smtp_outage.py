"""The SMTP server refusing connections for a while: each avis de dépôt is retried and
sent once."""

from __future__ import annotations

import time

import pytest

from tests.chaos.harness import scenario
from tests.support.worker import broker_url_for_tests, require_redis, wait_for

pytestmark = [
    pytest.mark.chaos,
    pytest.mark.server_errors_expected(
        "the SMTP server is stopped on purpose: the worker logs the refused sends"
    ),
]

DOWN_FOR = 10.0


def _refusals(world) -> int:
    """The worker's retries of an avis de dépôt that the SMTP server refused."""
    return sum(
        line.count("MailDeliveryError")
        for path in world.log_dir.glob("worker-*.log")
        for line in path.read_text(errors="replace").splitlines()
        if "deliver_closure" in line and "retry: Retry in" in line
    )


def test_smtp_refusing_connections_emails_each_closure_once(monkeypatch: pytest.MonkeyPatch) -> None:
    broker = broker_url_for_tests()
    require_redis(broker)
    with scenario("smtp_outage", broker_url=broker, monkeypatch=monkeypatch) as (world, _):
        world.start_worker()
        world.submit(world.population.account_ids)
        wait_for(lambda: world.outcome().emailed >= 20, timeout=90, message="les premiers avis de dépôt")
        world.smtp.stop()
        time.sleep(DOWN_FOR)
        world.smtp.start()
        restored_at = time.monotonic()
        outcome, recovery = world.wait_until_settled(since=restored_at)
        refusals = _refusals(world)
        world.report(
            outcome,
            recovery,
            faults=refusals,
            fault_detail=f"serveur SMTP arrêté {DOWN_FOR:.0f} s ; {refusals} envois refusés puis repris",
        )
        assert refusals > 0, "the outage must have hit deliveries"
        world.assert_exactly_once(outcome)
