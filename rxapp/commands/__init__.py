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
        # Reflex's opportunistic lock: between a tab's events its state stays in the memory of
        # the worker that holds its Redis lock (written back after half the lock expiry, or at
        # once when another worker asks for it), instead of a lock, a read and a checked write in
        # Redis for every event. A third less CPU per journey, p95 3x lower (BENCHMARKS.md).
        env.setdefault("REFLEX_OPLOCK_ENABLED", "1")
    return env
