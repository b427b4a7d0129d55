"""The tests' app ports: a home port per test process, the same in every pytest run of a checkout
(so that the suites share a frontend build, which holds its address), and another when it is taken."""

from __future__ import annotations

import socket

import pytest

from tests.support import processes


def test_the_home_port_is_the_same_in_every_run_and_differs_by_worker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    alone = processes.home_port()
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
    assert processes.home_port() == alone  # the first worker shares the serial suites' build
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw1")
    second = processes.home_port()
    assert second == alone + 1
    assert processes.home_port() == second
    # Below Linux's ephemeral range: no outgoing connection is given it.
    assert 1024 < alone < second < 32768


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
