"""Start the real app (`python -m rxapp.cli serve`) or a worker on a free port,
and stop them by process group, never by name."""

from __future__ import annotations

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

import httpx

from rxapp.settings import PROJECT_ROOT
from tests.support import server_logs

FIRST_BUILD_TIMEOUT = 900  # the very first build installs the npm packages


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


# The checkout's home port for the app, the same in every pytest run: the unit, chaos and browser
# suites, each a pytest run of its own, then serve the app on the same port and share its frontend
# build. (Under pytest-xdist, the modules that serve the app run on one worker: tests/conftest.py.)
# Below Linux's ephemeral range (32768-60999), so that no outgoing connection holds it; a home port
# that is taken (an app already serving, another checkout's run) is passed over.
HOME_PORTS = range(20000, 32000)


def home_port() -> int:
    """This checkout's port for the app."""
    return HOME_PORTS[zlib.crc32(str(PROJECT_ROOT).encode()) % len(HOME_PORTS)]


def app_port() -> int:
    """A port for the app: one this process served it on before and is free again, else its home
    port, else a new one."""
    for port in _APP_PORTS:
        if port not in _SERVING and port_is_free(port):
            return port
    port = home_port()
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
