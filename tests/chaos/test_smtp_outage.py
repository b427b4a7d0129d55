"""The SMTP server refusing connections for a while: each avis de dépôt is retried and
sent once."""

from __future__ import annotations

import time

import pytest

from tests.chaos.harness import Scenario, scenario
from tests.support.worker import broker_url_for_tests, require_redis, wait_for

pytestmark = [
    pytest.mark.chaos,
    pytest.mark.server_errors_expected(
        "the SMTP server is stopped on purpose: the worker logs the refused sends"
    ),
]

# The server stays down until the worker has had this many sends refused.
REFUSED_WHILE_DOWN = 50


def _refusals(world: Scenario) -> int:
    """The worker's retries of an avis de dépôt that the SMTP server refused."""
    return world.retries("deliver_closure", "MailDeliveryError")


def test_smtp_refusing_connections_emails_each_closure_once(monkeypatch: pytest.MonkeyPatch) -> None:
    broker = broker_url_for_tests()
    require_redis(broker)
    with scenario("smtp_outage", broker_url=broker, monkeypatch=monkeypatch) as (world, _):
        world.start_worker()
        world.submit(world.population.account_ids)
        wait_for(lambda: world.outcome().emailed >= 20, timeout=90, message="les premiers avis de dépôt")
        world.smtp.stop()
        down_since = time.monotonic()
        wait_for(
            lambda: _refusals(world) >= REFUSED_WHILE_DOWN,
            timeout=90,
            message=f"{REFUSED_WHILE_DOWN} envois refusés par le serveur SMTP arrêté",
        )
        world.smtp.start()
        restored_at = time.monotonic()
        recovery = world.wait_until_settled(since=restored_at)
        refusals = _refusals(world)
        figures = world.report(
            recovery,
            faults=refusals,
            fault_detail=f"serveur SMTP arrêté {restored_at - down_since:.1f} s ; "
            f"{refusals} envois refusés puis repris",
        )
        assert refusals > 0, "the outage must have hit deliveries"
        world.assert_exactly_once(recovery.outcome)
        world.assert_recovered(figures)
