"""A real Celery worker process for the tests (never eager mode)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from celery import Celery

from rxapp.settings import PROJECT_ROOT
from tests.support import server_logs
from tests.support.processes import stop_process_group

CI_REDIS_URL = "redis://127.0.0.1:6379/0"


def broker_url_for_tests() -> str:
    return os.environ.get("REDIS_URL") or CI_REDIS_URL


@dataclass(frozen=True)
class RunningWorker:
    process: subprocess.Popen
    queue: str
    broker_url: str
    log_path: Path

    def client(self) -> Celery:
        """A Celery client on the worker's broker, sending to its queue."""
        client = Celery("tests", broker=self.broker_url)
        client.conf.task_default_queue = self.queue
        return client

    def send(self, task_name: str, *args) -> None:
        self.client().send_task(task_name, args=args, queue=self.queue)


def require_redis(url: str) -> None:
    """Fail (never skip) with a message naming Redis when it does not answer."""
    import pytest
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        pytest.fail(f"Redis injoignable pour les tests (REDIS_URL={url}) : {error}", pytrace=False)


def start_celery_worker(
    app_module: str,
    *,
    queue: str,
    env: dict[str, str],
    log_path: Path,
    loglevel: str,
    concurrency: int = 2,
    extra_args: tuple[str, ...] = (),
) -> subprocess.Popen:
    """`celery worker` for `app_module` (2 prefork processes, named after `queue`), in its own
    process group so that it can be stopped with its children; its output goes to `log_path`."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                app_module,
                "worker",
                "--loglevel",
                loglevel,
                "--concurrency",
                str(concurrency),
                "--hostname",
                f"{queue}@%h",
                "--without-gossip",
                "--without-mingle",
                *extra_args,
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


@contextmanager
def running_worker(
    database_url: str, log_path: Path, extra_env: dict[str, str] | None = None
) -> Iterator[RunningWorker]:
    """Start `celery worker` on its own queue against `database_url`; stop it afterwards."""
    broker = broker_url_for_tests()
    require_redis(broker)
    queue = f"test-{os.getpid()}-{time.monotonic_ns()}"
    env = dict(
        os.environ, DATABASE_URL=database_url, REDIS_URL=broker, CELERY_QUEUE=queue, **(extra_env or {})
    )
    process = start_celery_worker(
        "backoffice_worker.celery_app", queue=queue, env=env, log_path=log_path, loglevel="INFO"
    )
    server_logs.watch(log_path, "worker")
    try:
        deadline = time.monotonic() + 60
        while "ready." not in log_path.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"Le worker n'a pas démarré :\n{log_path.read_text(errors='replace')[-3000:]}"
                )
            time.sleep(0.2)
        yield RunningWorker(process, queue, broker, log_path)
    finally:
        stop_process_group(process, warm=True)
        Celery("cleanup", broker=broker).connection_for_write().default_channel.queue_delete(queue)


def wait_for(predicate, timeout: float = 30, interval: float = 0.2, message: str = "condition"):
    """Poll `predicate` until it returns a truthy value; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"Délai dépassé en attendant : {message}")
        time.sleep(interval)
