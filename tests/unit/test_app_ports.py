"""The tests' app ports: a home port per test process, the same in every pytest run of a checkout
(so that the suites share a frontend build, which holds its address), and another when it is taken."""

from __future__ import annotations

import socket

import pytest

from tests.support import processes


def test_the_home_port_is_the_checkouts_own_and_below_the_ephemeral_range() -> None:
    assert processes.home_port() == processes.home_port()
    # No outgoing connection is given a port below Linux's ephemeral range.
    assert 1024 < processes.home_port() < 32768


def test_a_taken_home_port_gives_way_to_a_free_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(processes, "_APP_PORTS", [])
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        taken = holder.getsockname()[1]
        monkeypatch.setattr(processes, "home_port", lambda: taken)
        port = processes.app_port()
        assert port != taken
        assert processes.port_is_free(port)
    # Once the home port is free again, the process keeps the port it served on: its build.
    assert processes.app_port() == port
