"""The command line's roles and operator commands (`python -m rxapp.cli ...`).

`rxapp.cli` parses the arguments; the modules here do the work: `roles` runs
one role per process (migrate, web, worker, beat) and the production start-up
checks, `frontend_build` builds the frontend once per version (export),
`agent_accounts` manages the agents' accounts.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from rxapp.settings import Settings


class StartupError(Exception):
    """Start-up cannot go on; the message is one line naming the culprit."""


def child_env(settings: Settings) -> dict[str, str]:
    """The environment of the Reflex and Celery processes: the venv's tools first on PATH."""
    env = dict(os.environ)
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    env.setdefault("REFLEX_USE_NPM", "1")
    env.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
    env["APP_PORT"] = str(settings.app_port)
    env["PYTHONUNBUFFERED"] = "1"
    if not settings.uses_redis:
        # Without Redis, Reflex keeps state on disk: one backend worker only.
        env["GRANIAN_WORKERS"] = "1"
    else:
        # Each event's state is written to Redis at once, as in production (`make cluster`).
        # Reflex's opportunistic lock (REFLEX_OPLOCK_ENABLED=1: a tab's state kept in the memory
        # of the backend process holding its lock) saved a third of the CPU per journey
        # (BENCHMARKS.md), but with several backend processes a new tab's first events then
        # stalled for 15 to 30 s now and then (all threads idle: a wait on the lock), in the
        # browser tests under load.
        env.setdefault("REFLEX_OPLOCK_ENABLED", "0")
    return env
