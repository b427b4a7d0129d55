"""The client's address through the real proxy: Caddy sets X-Forwarded-For to the peer it sees,
the web instances believe it because Caddy is their TRUSTED_PROXIES (127.0.0.1).

Each visitor is a socket from its own loopback address (127.0.0.N): Caddy sees 25 different
peers, as it would see 25 machines. Lockouts are kept in the database, so the two instances
behind the proxy (least_conn spreads the sockets over both) share them.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from rxapp import routes
from rxapp.services import auth
from rxapp.services.audit import read_security_log
from rxapp.services.demo import DEMO_CODE
from rxapp.state.login import LoginState
from tests.cluster.conftest import RunningCluster
from tests.integration.test_client_address_throttling import RENALDO, unknown_nirs
from tests.support.reflex_socket import ReflexTab, event_name

SETTLE = 0.5


async def _login(
    base_url: str, nir: str, code: str, source: str, forwarded_for: str | None
) -> dict[str, Any]:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    tab = ReflexTab(base_url, headers=headers, local_address=source)
    try:
        await tab.connect("/", settle=SETTLE)
        await tab.send(
            event_name(LoginState, "submit"), {"form_data": {"nir": nir, "code": code}}, settle=SETTLE
        )
        return {"error": tab.var(LoginState, "error", ""), "page_loads": tab.page_loads, "errors": tab.errors}
    finally:
        await tab.close()


async def _logins(
    base_url: str, attempts: list[tuple[str, str]], forwarded_for: str | None
) -> list[dict[str, Any]]:
    return await asyncio.gather(
        *(_login(base_url, nir, "Mauvais1!", source, forwarded_for) for nir, source in attempts)
    )


def failed_logins(
    base_url: str, attempts: list[tuple[str, str]], forwarded_for: str | None = None
) -> list[dict[str, Any]]:
    """Wrong codes for each (NIR, source address), all at once: several visitors at a time."""
    return asyncio.run(_logins(base_url, attempts, forwarded_for))


def login(
    base_url: str, nir: str, code: str, *, source: str, forwarded_for: str | None = None
) -> dict[str, Any]:
    return asyncio.run(_login(base_url, nir, code, source, forwarded_for))


def _failed_logins_since(cluster: RunningCluster, mark: int, count: int) -> list[str]:
    """The client addresses of the `count` failed logins logged after `mark` (waited for)."""
    deadline = time.monotonic() + 10
    while True:
        events = [e for e in read_security_log(cluster.security_log)[mark:] if e["event"] == "login_failed"]
        if len(events) >= count or time.monotonic() > deadline:
            return [e["client_ip"] for e in events]
        time.sleep(0.1)


def test_failures_from_25_addresses_lock_no_other_visitor(cluster: RunningCluster) -> None:
    mark = len(read_security_log(cluster.security_log))
    attempts = [(nir, f"127.0.0.{index + 2}") for index, nir in enumerate(unknown_nirs(25))]
    # A forged header through the proxy changes nothing: Caddy replaces it with the peer.
    for answer in failed_logins(cluster.plan.url, attempts, forwarded_for="203.0.113.9"):
        assert answer["error"] == auth.BAD_CREDENTIALS, answer
    assert sorted(_failed_logins_since(cluster, mark, 25)) == sorted(f"127.0.0.{i + 2}" for i in range(25))
    answer = login(cluster.plan.url, RENALDO, DEMO_CODE, source="127.0.0.200")
    assert answer["page_loads"] and answer["page_loads"][0].startswith(routes.OPEN_SESSION), answer


def test_twenty_failures_from_one_address_lock_that_address_only(cluster: RunningCluster) -> None:
    attacker = "127.0.0.66"
    for answer in failed_logins(cluster.plan.url, [(nir, attacker) for nir in unknown_nirs(45)[25:45]]):
        assert answer["error"] == auth.BAD_CREDENTIALS, answer
    assert login(cluster.plan.url, RENALDO, DEMO_CODE, source=attacker)["error"] == auth.TOO_MANY_FROM_CLIENT
    answer = login(cluster.plan.url, RENALDO, DEMO_CODE, source="127.0.0.67")
    assert answer["page_loads"] and answer["page_loads"][0].startswith(routes.OPEN_SESSION), answer


def test_a_forged_header_sent_straight_to_an_instance_is_ignored(cluster: RunningCluster) -> None:
    # A peer that is not the proxy (127.0.0.77, not in TRUSTED_PROXIES) talks to instance 1 directly.
    mark = len(read_security_log(cluster.security_log))
    nir = unknown_nirs(46)[45]
    answer = login(
        cluster.plan.web_url(0), nir, "Mauvais1!", source="127.0.0.77", forwarded_for="198.51.100.77"
    )
    assert answer["error"] == auth.BAD_CREDENTIALS
    assert _failed_logins_since(cluster, mark, 1) == ["127.0.0.77"]
