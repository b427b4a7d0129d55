"""One role per process: migrate, web, worker, beat, and their start-up checks.

`python -m rxapp.cli serve` (`make run`) still runs everything in one command
for the demo; in production each role runs in its own process:

- `migrate` once per release, under a PostgreSQL advisory lock;
- `export` once per release: the frontend's static files, built by Reflex
  (`rxapp.commands.frontend_build`);
- `web` (several instances allowed): the Reflex backend and the API, serving the
  exported files itself, never migrating, seeding or rebuilding anything;
- `worker` (several allowed): Celery without beat;
- `beat`: the one scheduler, holding a Redis lock that a second beat cannot take.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Final

from rxapp.commands import StartupError, child_env
from rxapp.commands.frontend_build import FRONTEND_DIR
from rxapp.settings import PROJECT_ROOT, Settings

# pg_advisory_lock key held while migrating ("ameli" in ASCII): any fixed bigint would do.
MIGRATION_LOCK_KEY: Final = 0x616D656C69
BEAT_LOCK_NAME: Final = "rxapp:celery-beat"
# The beat lock expires this long after its holder stops renewing it (killed, frozen, cut off).
BEAT_LOCK_TTL: Final = 30.0
BEAT_LOCK_RENEW_EVERY: Final = 10.0


def migrate_under_lock(settings: Settings) -> None:
    """`alembic upgrade head`, one migrating process at a time on PostgreSQL.

    A second process started at the same moment waits for the lock, then finds
    the schema at head and does nothing. SQLite needs no lock (one machine, the demo).
    """
    from alembic.config import Config
    from sqlalchemy import text

    from alembic import command
    from rxapp.db import make_engine

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["database_url"] = settings.database_url
    if settings.is_sqlite:
        command.upgrade(config, "head")
        return
    engine = make_engine(settings.database_url, pool_size=1, max_overflow=0)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            connection.commit()
            try:
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
                connection.commit()
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
                connection.commit()
    finally:
        engine.dispose()


def require_schema_at_head(settings: Settings) -> None:
    """Refuse to start a role on a database that `migrate` has not brought to head."""
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from rxapp.db import make_engine

    head = ScriptDirectory.from_config(Config(str(PROJECT_ROOT / "alembic.ini"))).get_current_head()
    engine = make_engine(settings.database_url, pool_size=1, max_overflow=0)
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
    if current != head:
        raise StartupError(
            f"Schéma de la base en retard (version {current or 'aucune'}, attendue {head}) : "
            "lancez d'abord « python -m rxapp.cli migrate »."
        )


def refuse_demo_credentials(settings: Settings) -> None:
    """In production, refuse to start while a demo password still opens an account.

    Except in the explicit local demo cluster (`make cluster DEMO=1`, DEMO_CLUSTER on a
    localhost PUBLIC_URL only: the settings refuse it anywhere else).
    """
    if not settings.is_production or settings.demo_cluster:
        return
    from rxapp.db import session_scope
    from rxapp.services.demo_accounts import demo_credentials_in_use

    with session_scope() as session:
        found = demo_credentials_in_use(session=session)
    if not found.any:
        return
    parts = []
    if found.agent_logins:
        parts.append(f"agents {', '.join(found.agent_logins)}")
    if found.demo_insured:
        parts.append(f"{found.demo_insured} assuré(s) de démonstration")
    raise StartupError(
        f"Mot de passe de démonstration encore valide ({' ; '.join(parts)}) : supprimez les comptes de "
        "démonstration avec « python -m rxapp.cli purge-demo », ou changez le mot de passe d'un agent avec "
        "« python -m rxapp.cli agent password LOGIN --password-stdin » (ou « agent disable LOGIN »)."
    )


def web_command() -> list[str]:
    """The `web` role's command line (what `serve` starts once the frontend is exported)."""
    return [sys.executable, "-m", "rxapp.cli", "web"]


def run_web(settings: Settings) -> None:
    """Replace this process by the Reflex backend, serving the exported frontend on APP_PORT."""
    if not (FRONTEND_DIR / "index.html").is_file():
        raise StartupError(
            "Frontend non exporté (.web/build/client) : lancez d'abord « python -m rxapp.cli export »."
        )
    # What `reflex run --env prod --backend-only` sets (Reflex's own variables, some internal and
    # so renamed by its `environment` object), plus the mount of the exported files that
    # `reflex run --env prod` adds when it has just built them.
    code = (
        "from reflex_base.environment import environment\n"
        "from reflex.constants import Env, LogLevel\n"
        "from reflex.utils.exec import run_backend_prod\n"
        "environment.REFLEX_ENV_MODE.set(Env.PROD)\n"
        "environment.REFLEX_SKIP_COMPILE.set(True)\n"
        "environment.REFLEX_BACKEND_ONLY.set(True)\n"
        f"run_backend_prod('0.0.0.0', {settings.app_port}, LogLevel.ERROR, mount_frontend_compiled_app=True)\n"
    )
    env = child_env(settings)
    if not env.get("PROMETHEUS_MULTIPROC_DIR"):
        # One metrics directory for all the backend workers, made before exec (which keeps the
        # pid): each worker then sees its parent named as the owner and adds to it, instead of
        # making one of its own that /metrics, answered by any worker, would not add up.
        env["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="ameli-web-metrics-")
        env["AMELI_WEB_METRICS_OWNER"] = str(os.getpid())
    os.chdir(PROJECT_ROOT)
    os.execve(sys.executable, [sys.executable, "-c", code], env)


def celery_worker_command(settings: Settings, *, with_beat: bool, hostname: str) -> list[str]:
    """The `celery worker` command line (with an embedded beat only for `serve`)."""
    return [
        str(Path(sys.executable).parent / "celery"),
        "-A",
        "backoffice_worker.celery_app",
        "worker",
        *(["--beat"] if with_beat else []),
        "--loglevel",
        "INFO",
        "--concurrency",
        str(settings.worker_concurrency),
        "--hostname",
        hostname,
    ]


def run_worker(settings: Settings) -> None:
    """Replace this process by a Celery worker without beat."""
    # execve keeps the pid: two workers on one host get distinct Celery node names.
    command = celery_worker_command(settings, with_beat=False, hostname=f"worker-{os.getpid()}@%h")
    os.chdir(PROJECT_ROOT)
    os.execve(command[0], command, child_env(settings))


def run_beat(settings: Settings) -> int:
    """Run Celery beat while holding the one beat lock in Redis; refuse when another holds it.

    The lock expires `BEAT_LOCK_TTL` seconds after its last renewal, so a beat killed
    without a chance to release it blocks the next one for half a minute at most.
    """
    import redis

    assert settings.redis_url is not None, "the embedded broker is refused in production"
    client = redis.Redis.from_url(settings.redis_url, socket_connect_timeout=3, socket_timeout=5)
    lock = client.lock(BEAT_LOCK_NAME, timeout=BEAT_LOCK_TTL, blocking=False, thread_local=False)
    if not lock.acquire():
        raise StartupError(
            f"Un autre beat tourne déjà sur ce Redis (verrou {BEAT_LOCK_NAME}) : un seul planificateur à la fois ; "
            f"s'il vient de s'arrêter, le verrou expire en {int(BEAT_LOCK_TTL)} s."
        )
    stopping = threading.Event()
    command = [
        str(Path(sys.executable).parent / "celery"),
        "-A",
        "backoffice_worker.celery_app",
        "beat",
        "--loglevel",
        "INFO",
    ]
    # Same process group: a Ctrl-C or a group kill stops the scheduler with its lock holder.
    child = subprocess.Popen(command, cwd=PROJECT_ROOT, env=child_env(settings))
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    code = 0
    try:
        while not stopping.wait(BEAT_LOCK_RENEW_EVERY if child.poll() is None else 0):
            if child.poll() is not None:
                print(f"Le beat s'est arrêté (code {child.returncode}).", file=sys.stderr)
                code = 1
                break
            try:
                if not lock.reacquire():
                    raise redis.RedisError("lock lost")
            except redis.RedisError:
                print(f"Verrou {BEAT_LOCK_NAME} perdu : arrêt du beat.", file=sys.stderr)
                code = 1
                break
    finally:
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        # Expired or unreachable: the lock goes by itself after BEAT_LOCK_TTL.
        with contextlib.suppress(redis.RedisError):
            lock.release()
    return code
