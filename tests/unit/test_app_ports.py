"""Where the tests serve the app: a slot per serving process, each with its own frontend folder and
a home port that is the same in every pytest run of a checkout (so that the suites share a build,
which holds its address), and another port when that one is taken."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from rxapp.settings import PROJECT_ROOT
from tests.support import processes

SLOT_OF_ANOTHER_PROCESS = """
import sys
from pathlib import Path
from tests.support import processes
processes.SLOT_LOCKS = Path(sys.argv[1])
print(processes.app_slot())
"""


def test_the_home_ports_are_the_checkouts_own_and_below_the_ephemeral_range() -> None:
    assert processes.home_port(0) == processes.home_port(0)
    assert processes.home_port(1) == processes.home_port(0) + 1
    # No outgoing connection is given a port below Linux's ephemeral range.
    assert 1024 < processes.home_port(0) < processes.home_port(processes.SLOTS - 1) < 32768


def test_two_serving_processes_take_two_slots_with_their_own_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(processes, "SLOT_LOCKS", tmp_path)
    monkeypatch.setattr(processes, "_slot", None)
    assert processes.app_slot() == 0
    assert processes.app_slot() == 0  # held for the process's life
    other = subprocess.run(
        [sys.executable, "-c", SLOT_OF_ANOTHER_PROCESS, str(tmp_path)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert other.stdout.strip() == "1"
    assert processes.web_workdir(0) is None  # `.web`, shared with `make run`
    assert processes.web_workdir(1) == ".web-1"


def test_a_taken_home_port_gives_way_to_a_free_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(processes, "_APP_PORTS", [])
    monkeypatch.setattr(processes, "app_slot", lambda: 0)
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        taken = holder.getsockname()[1]
        monkeypatch.setattr(processes, "home_port", lambda slot: taken)
        port = processes.app_port()
        assert port != taken
        assert processes.port_is_free(port)
    # Once the home port is free again, the process keeps the port it served on: its build.
    assert processes.app_port() == port
