"""Behind a trusted proxy, login throttling and the security log use the forwarded address.

The real app is served with `TRUSTED_PROXIES=127.0.0.1`, and Reflex's websocket is spoken
directly with an `X-Forwarded-For` header in the handshake, as a reverse proxy would send it.
A connection through the machine's own non-loopback address is an untrusted peer: its
forged header must be ignored.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rxapp import routes
from rxapp.services import auth
from rxapp.services.audit import read_security_log
from rxapp.services.demo import DEMO_CODE
from rxapp.services.nir import parse_nir
from rxapp.state.auth import AuthState
from rxapp.state.login import LoginState
from tests.support.databases import scratch_database
from tests.support.processes import RunningApp
from tests.support.reflex_socket import ReflexTab, delta_of, event_name, state_path
from tests.support.served import served_app

RENALDO = "1741171270102 58"
SETTLE = 0.5
LOGIN_TIMEOUT = 60


def unknown_nirs(count: int) -> list[str]:
    """Valid NIRs that belong to no account (one per visitor, so no NIR lockout interferes)."""
    nirs = []
    for serial in range(count):
        body = f"18001751{serial + 100:03d}01"
        nirs.append(parse_nir(body).body)
    return nirs


@pytest.fixture(scope="module")
def app(security_log: Path) -> Iterator[RunningApp]:
    with (
        scratch_database("proxied") as database_url,
        served_app(
            "proxied", database_url, SECURITY_LOG=str(security_log), TRUSTED_PROXIES="127.0.0.1"
        ) as running,
    ):
        yield running


def _own_address() -> str:
    """This machine's non-loopback address: a peer that is not a trusted proxy."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 9))  # no packet is sent; the kernel picks the source address
        return probe.getsockname()[0]


async def _login(base_url: str, nir: str, code: str, forwarded_for: str | None) -> dict[str, Any]:
    tab = ReflexTab(base_url, headers={"X-Forwarded-For": forwarded_for} if forwarded_for else {})
    try:
        await tab.connect("/", settle=SETTLE)
        # Its outcome, however long argon2 takes on a busy machine: the refusal, or the session's URL.
        refused, opened = (
            delta_of(state_path(LoginState), "error"),
            delta_of(state_path(AuthState), "page_load"),
        )
        await tab.send(
            event_name(LoginState, "submit"),
            {"form_data": {"nir": nir, "code": code}},
            until=lambda update: refused(update) or opened(update),
            timeout=LOGIN_TIMEOUT,
        )
        return {"error": tab.var(LoginState, "error", ""), "page_loads": tab.page_loads}
    finally:
        await tab.close()


def login(base_url: str, nir: str, code: str, forwarded_for: str | None = None) -> dict[str, Any]:
    return asyncio.run(_login(base_url, nir, code, forwarded_for))


def test_failures_from_many_forwarded_addresses_lock_no_other_visitor(
    app: RunningApp, security_log: Path
) -> None:
    for index, nir in enumerate(unknown_nirs(25)):
        answer = login(app.url, nir, "Mauvais1!", forwarded_for=f"198.51.100.{index + 1}")
        assert answer["error"] == auth.BAD_CREDENTIALS
    failed = [e for e in read_security_log(security_log) if e["event"] == "login_failed"]
    assert {e["client_ip"] for e in failed} >= {f"198.51.100.{i}" for i in range(1, 26)}
    # Every one of them went through the same proxy (127.0.0.1); nobody else is locked.
    assert login(app.url, RENALDO, DEMO_CODE, forwarded_for="198.51.100.200")["page_loads"][0].startswith(
        routes.OPEN_SESSION
    )


def test_twenty_failures_from_one_forwarded_address_lock_that_address_only(app: RunningApp) -> None:
    attacker = "203.0.113.66"
    for nir in unknown_nirs(45)[25:45]:
        assert login(app.url, nir, "Mauvais1!", forwarded_for=attacker)["error"] == auth.BAD_CREDENTIALS
    assert login(app.url, RENALDO, DEMO_CODE, forwarded_for=attacker)["error"] == auth.TOO_MANY_FROM_CLIENT
    assert login(app.url, RENALDO, DEMO_CODE, forwarded_for="203.0.113.67")["page_loads"][0].startswith(
        routes.OPEN_SESSION
    )


def test_a_forged_forwarded_header_from_an_untrusted_peer_is_ignored(
    app: RunningApp, security_log: Path
) -> None:
    peer = _own_address()
    if peer.startswith("127."):
        pytest.skip("no non-loopback address on this machine")
    base_url = f"http://{peer}:{app.port}"
    mark = len(read_security_log(security_log))
    nir = unknown_nirs(46)[45]
    assert login(base_url, nir, "Mauvais1!", forwarded_for="198.51.100.77")["error"] == auth.BAD_CREDENTIALS
    deadline = time.monotonic() + 5
    while not (events := read_security_log(security_log)[mark:]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [e["client_ip"] for e in events if e["event"] == "login_failed"] == [peer]
