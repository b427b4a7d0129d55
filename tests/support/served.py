"""The app as production serves it, on PostgreSQL and the tests' Redis, with a Celery queue of its own."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rxapp.settings import VAR_DIR
from tests.support.processes import RunningApp, running_app
from tests.support.worker import broker_url_for_tests, require_redis


@contextmanager
def served_app(
    name: str, database_url: str, *, log_path: Path | None = None, **settings: str
) -> Iterator[RunningApp]:
    """Serve the app (`rxapp.cli serve`) on `database_url` until the block ends.

    Args:
        name: names the Celery queue (`name-pid`, so parallel runs do not share one) and the
            server's log, `var/tests/<name>-server.log` unless `log_path` is given.
        database_url: the app's database (a scratch one).
        log_path: where the server's output goes.
        **settings: further environment settings (SECURITY_LOG, TRUSTED_PROXIES, ...).
    """
    require_redis(broker_url_for_tests())
    overrides = {
        "DATABASE_URL": database_url,
        "REDIS_URL": broker_url_for_tests(),
        "CELERY_QUEUE": f"{name}-{os.getpid()}",
        **settings,
    }
    with running_app(overrides, log_path or VAR_DIR / "tests" / f"{name}-server.log") as running:
        yield running
