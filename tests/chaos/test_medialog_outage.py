"""The Medialog+ API answering 500, then timing out, for a while."""

from __future__ import annotations

import time

import pytest

from tests.chaos.harness import scenario
from tests.support.faulty_proxy import faulty_proxy
from tests.support.tcp_proxy import ProxyMode, tcp_proxy
from tests.support.worker import broker_url_for_tests, require_redis, wait_for

pytestmark = [
    pytest.mark.chaos,
    pytest.mark.server_errors_expected(
        "the Medialog+ API answers 500 then hangs on purpose: the worker logs the failures"
    ),
]

ALWAYS = 10**9
# The API answers 500 until the worker has met that many of them; then it hangs until that
# many calls have timed out (the worker's read timeout is 5 s).
ERRORS_AT_LEAST, TIMEOUTS_AT_LEAST = 80, 4


def test_medialog_api_failing_then_hanging_loses_and_doubles_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    broker = broker_url_for_tests()
    require_redis(broker)
    with (
        scenario("medialog_outage", broker_url=broker, monkeypatch=monkeypatch) as (world, api_url),
        faulty_proxy(api_url, failures=0) as errors,  # 500 while failures_left > 0
        tcp_proxy("127.0.0.1", errors.server_address[1]) as network,  # resets or hangs
    ):
        world.worker_env["MEDIALOG_API_URL"] = f"http://127.0.0.1:{network.port}/api/medialog"
        world.start_worker()
        ids = world.population.account_ids
        world.submit(ids[:60])
        wait_for(lambda: world.outcome().affaires >= 20, timeout=60, message="les premières affaires")

        errors.failures_left = ALWAYS
        world.submit(ids[60:140])
        wait_for(
            lambda: ALWAYS - errors.failures_left >= ERRORS_AT_LEAST,
            timeout=60,
            message=f"{ERRORS_AT_LEAST} réponses 500 de l'API",
        )
        answered_500 = ALWAYS - errors.failures_left
        errors.failures_left = 0
        network.cut(ProxyMode.HANG)
        hanging_since = time.monotonic()
        world.submit(ids[140:])
        wait_for(
            lambda: world.retries("", "ReadTimeout") >= TIMEOUTS_AT_LEAST,
            timeout=60,
            message=f"{TIMEOUTS_AT_LEAST} appels à l'API expirés",
        )
        network.restore()
        restored_at = time.monotonic()

        recovery = world.wait_until_settled(since=restored_at)
        figures = world.report(
            recovery,
            faults=answered_500 + network.held,
            fault_detail=f"{answered_500} réponses 500 puis {network.held} appels sans réponse "
            f"pendant {restored_at - hanging_since:.1f} s",
        )
        assert answered_500 > 0 and network.held > 0, "the outage must have hit the worker's calls"
        world.assert_exactly_once(recovery.outcome)
        world.assert_recovered(figures)
