"""Start the real app (`python -m rxapp.cli serve`) or a worker on a free port,
and stop them by process group, never by name."""

from __future__ import annotations

import fcntl
import os
import signal
import socket
import subprocess
import sys
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import httpx

from rxapp.settings import PROJECT_ROOT, VAR_DIR
from tests.support import server_logs

FIRST_BUILD_TIMEOUT = 900  # the very first build installs the npm packages
SLOT_LOCKS = VAR_DIR / "tests"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# The ports this test process served the app on, and those serving it now. An app started on
# a port served before reuses that port, and so the frontend built for it (the build holds its
# address): `serve` then starts in seconds instead of building again.
_APP_PORTS: list[int] = []
_SERVING: set[int] = set()


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """Whether a server could listen on `port` of `host` now."""
    with socket.socket() as sock:
        # As a server binds: a port whose last connections are in TIME_WAIT is free to listen on.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


# Where a test process serves the app: a slot of the checkout, held for the process's life (a
# lock under var/). Slot 0 is the `.web` folder and the checkout's home port, the same in every
# pytest run, so that the unit, chaos and browser suites, each a run of its own, share a frontend
# build (it holds its address). A second process serving at the same time (pytest-xdist) takes
# slot 1: its own folder (`.web-1`) and port, where the running app of slot 0 cannot be rebuilt
# under it. Home ports sit below Linux's ephemeral range (32768-60999), so that no outgoing
# connection holds one; a home port that is taken anyway is passed over. (One app at a time per
# process: a second one, on another port, would be built into the folder the first one serves.)
HOME_PORTS = range(20000, 32000, 8)
SLOTS = 8
_slot: tuple[int, TextIO] | None = None  # the slot and its lock, held open


def app_slot() -> int:
    """This process's slot, taken at the first call: the lowest one no other process holds."""
    global _slot
    if _slot is None:
        SLOT_LOCKS.mkdir(parents=True, exist_ok=True)
        for slot in range(SLOTS):
            handle = (SLOT_LOCKS / f"app-slot-{slot}.lock").open("w")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                continue
            _slot = (slot, handle)
            break
        else:
            raise RuntimeError(f"Plus de {SLOTS} processus de test servent l'application à la fois.")
    return _slot[0]


def web_workdir(slot: int) -> str | None:
    """The slot's frontend folder (REFLEX_WEB_WORKDIR): None for `.web`."""
    return None if slot == 0 else f".web-{slot}"


def home_port(slot: int = 0) -> int:
    """The checkout's port for the app in `slot`."""
    return HOME_PORTS[zlib.crc32(str(PROJECT_ROOT).encode()) % len(HOME_PORTS)] + slot


def app_port() -> int:
    """A port for the app: one this process served it on before and is free again, else its home
    port, else a new one."""
    for port in _APP_PORTS:
        if port not in _SERVING and port_is_free(port):
            return port
    port = home_port(app_slot())
    if port in _APP_PORTS or not port_is_free(port):
        port = free_port()
    _APP_PORTS.append(port)
    return port


def stop_process_group(process: subprocess.Popen, timeout: float = 20, *, warm: bool = False) -> None:
    """SIGTERM the process group, then SIGKILL what is left after `timeout`.

    With `warm`, only the main process gets the SIGTERM: a Celery worker then lets its running
    tasks finish and stops its pool itself (a TERM to the whole group kills the pool processes
    mid-task, and the worker logs WorkerLostError).
    """
    if process.poll() is None:
        try:
            if warm:
                os.kill(process.pid, signal.SIGTERM)
            else:
                os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=timeout)
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


@dataclass(frozen=True)
class RunningApp:
    url: str
    port: int
    env: dict[str, str]
    process: subprocess.Popen
    log_path: Path


def dump_stacks(process: subprocess.Popen, path: Path) -> None:
    """Write what every thread of `process` and of its children is doing (py-spy), for a test that
    failed waiting on it: a server that stalls says where. Best effort: py-spy may be refused."""
    spy = Path(sys.executable).parent / "py-spy"
    try:
        result = subprocess.run(
            [str(spy), "dump", "--subprocesses", "--pid", str(process.pid)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        path.write_text(result.stdout + result.stderr)
    except (OSError, subprocess.TimeoutExpired) as error:
        path.write_text(f"py-spy dump impossible : {error!r}\n")


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


@contextmanager
def running_app(env_overrides: dict[str, str | None], log_path: Path) -> Iterator[RunningApp]:
    """Serve the app as `make run` does, on a free port, until the block ends.

    `env_overrides` values of None remove the variable from the environment.
    """
    port = app_port()
    env = dict(os.environ)
    if web_workdir(app_slot()):
        env.setdefault("REFLEX_WEB_WORKDIR", web_workdir(app_slot()))
    for key, value in env_overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    env["APP_PORT"] = str(port)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "rxapp.cli", "serve"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server_logs.watch(log_path, "app")
    url = f"http://127.0.0.1:{port}"
    _SERVING.add(port)
    try:
        _wait_until_serving(process, url, log_path)
        yield RunningApp(url, port, env, process, log_path)
    finally:
        stop_process_group(process)
        _SERVING.discard(port)


def _wait_until_serving(process: subprocess.Popen, url: str, log_path: Path) -> None:
    deadline = time.monotonic() + FIRST_BUILD_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"L'application s'est arrêtée au démarrage :\n{_tail(log_path)}")
        try:
            if (
                httpx.get(f"{url}/ping", timeout=2).status_code == 200
                and httpx.get(url, timeout=5).status_code == 200
            ):
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"L'application ne répond pas sur {url} :\n{_tail(log_path)}")


@contextmanager
def served_reflex_folder(
    folder: Path, env: dict[str, str], log_path: Path, *, ready_path: str = "/"
) -> Iterator[tuple[str, subprocess.Popen]]:
    """Another Reflex app (the benches' blank baselines): `reflex run --env prod` in `folder` on a
    free port, until `ready_path` answers 200; stopped by process group afterwards."""
    port = str(free_port())
    reflex = str(Path(sys.executable).parent / "reflex")
    command = [reflex, "run", "--env", "prod", "--frontend-port", port, "--backend-port", port]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log:
        process = subprocess.Popen(
            command, cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + FIRST_BUILD_TIMEOUT
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"L'application {folder} s'est arrêtée :\n{_tail(log_path)}")
            with suppress(httpx.HTTPError):
                if httpx.get(url + ready_path, timeout=5).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"L'application {folder} ne répond pas sur {url} :\n{_tail(log_path)}")
            time.sleep(1)
        yield url, process
    finally:
        stop_process_group(process)
