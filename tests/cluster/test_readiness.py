"""An instance that loses its database leaves the rotation, and comes back by itself.

Instance 2 reaches PostgreSQL through a TCP proxy (tests/support/tcp_proxy.py): cutting it
is the database going away for that instance only. It keeps running and answers /readyz
with 503; Caddy's active health check (every 2 s) takes it out, and the visitors are served
by instance 1. Restored, it reports ready again and Caddy sends it visitors again.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from rxapp import routes
from rxapp.services.demo import DEMO_CODE
from tests.cluster.conftest import RunningCluster
from tests.cluster.helpers import events_per_instance, until
from tests.cluster.test_client_address import RENALDO, login
from tests.support.reflex_socket import ReflexTab
from tests.support.tcp_proxy import ProxyMode

pytestmark = pytest.mark.server_errors_expected("instance 2 loses its database on purpose")


def _readyz(url: str) -> int:
    try:
        return httpx.get(f"{url}/readyz", timeout=5).status_code
    except httpx.HTTPError:
        return 0


async def _open_tabs(base_url: str, count: int) -> list[ReflexTab]:
    tabs = [ReflexTab(base_url) for _ in range(count)]
    await asyncio.gather(*(tab.connect("/", settle=0.3) for tab in tabs))
    return tabs


async def _close_tabs(tabs: list[ReflexTab]) -> None:
    await asyncio.gather(*(tab.close() for tab in tabs))


def _pages_through_proxy(cluster: RunningCluster, count: int) -> list[int]:
    async def visit() -> list[int]:
        tabs = await _open_tabs(cluster.plan.url, count)
        errors = [len(tab.errors) for tab in tabs]
        await _close_tabs(tabs)
        return errors

    return asyncio.run(visit())


def test_an_instance_without_its_database_leaves_the_rotation_and_comes_back(cluster: RunningCluster) -> None:
    second = cluster.processes["web-2"]
    pid = second.pid
    cluster.database_link.cut(ProxyMode.REFUSE)
    try:
        until(lambda: _readyz(cluster.plan.web_url(1)) == 503, timeout=15, message="instance 2 pas prête")
        # Caddy checks every 2 s: give it two checks, then every request must land on instance 1.
        before = events_per_instance(cluster)
        until(
            lambda: all(_readyz(cluster.plan.url) == 200 for _ in range(10)),
            timeout=15,
            message="le proxy n'envoie plus rien à l'instance 2",
        )
        assert [httpx.get(f"{cluster.plan.url}/", timeout=5).status_code for _ in range(5)] == [200] * 5
        assert _pages_through_proxy(cluster, 6) == [0] * 6
        answer = login(cluster.plan.url, RENALDO, DEMO_CODE, source="127.0.0.90")
        assert answer["page_loads"] and answer["page_loads"][0].startswith(routes.OPEN_SESSION), answer
        after = events_per_instance(cluster)
        assert after[1] == before[1], "l'instance sans base a reçu des visiteurs"
        assert after[0] > before[0]
        assert second.poll() is None and second.pid == pid, "l'instance 2 s'est arrêtée"
    finally:
        cluster.database_link.restore()
    until(lambda: _readyz(cluster.plan.web_url(1)) == 200, timeout=30, message="instance 2 de nouveau prête")
    assert second.poll() is None

    # Back in the rotation: least_conn sends new sockets to it again.
    def reached_again() -> bool:
        before = events_per_instance(cluster)[1]
        _pages_through_proxy(cluster, 4)
        return events_per_instance(cluster)[1] > before

    until(reached_again, timeout=20, message="l'instance 2 de retour dans la rotation", interval=1)
