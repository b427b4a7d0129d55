"""One role per process: migrate, web, worker, beat, export, and their start-up checks.

`python -m rxapp.cli serve` (`make run`) still runs everything in one command
for the demo; in production each role runs in its own process:

- `migrate` once per release, under a PostgreSQL advisory lock;
- `export` once per release: the frontend's static files, built by Reflex;
- `web` (several instances allowed): the Reflex backend and the API, serving the
  exported files itself, never migrating, seeding or rebuilding anything;
- `worker` (several allowed): Celery without beat;
- `beat`: the one scheduler, holding a Redis lock that a second beat cannot take.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Final

from rxapp.commands import StartupError
from rxapp.settings import PROJECT_ROOT, VAR_DIR, Settings

# pg_advisory_lock key held while migrating ("ameli" in ASCII): any fixed bigint would do.
MIGRATION_LOCK_KEY: Final = 0x616D656C69
BEAT_LOCK_NAME: Final = "rxapp:celery-beat"
# The beat lock expires this long after its holder stops renewing it (killed, frozen, cut off).
BEAT_LOCK_TTL: Final = 30.0
BEAT_LOCK_RENEW_EVERY: Final = 10.0


def frontend_dir(environ: Mapping[str, str]) -> Path:
    """Where `export` puts the static frontend for `environ` (Caddy serves it): in `.web`, or in
    REFLEX_WEB_WORKDIR (relative to the project) when set."""
    return PROJECT_ROOT / (environ.get("REFLEX_WEB_WORKDIR") or ".web") / "build" / "client"


FRONTEND_DIR: Final = frontend_dir(os.environ)
WEB_DIR: Final = FRONTEND_DIR.parent.parent
# What the build in FRONTEND_DIR was made from (`frontend_fingerprint`); in the frontend folder,
# so that a new folder is a new build.
BUILD_STAMP: Final = WEB_DIR / "ameli-frontend-build.txt"
# The last builds, by fingerprint (about 17 MB each): one of them is put back instead of built again.
BUILDS_KEPT_DIR: Final = WEB_DIR / "ameli-frontend-builds"
BUILDS_KEPT: Final = 6
FRONTEND_SOURCE_DIRS: Final = ("rxapp", "assets", "reflex.lock")
FRONTEND_SOURCE_FILES: Final = ("rxconfig.py", "requirements.lock", "pyproject.toml")
BUILD_VARIABLES: Final = ("REFLEX_", "VITE_", "NODE_")
# Of those, the ones only the backend reads (its state manager).
RUNTIME_ONLY_VARIABLES: Final = frozenset({"REFLEX_OPLOCK_ENABLED"})
# Settings read only by the running processes, never by the compiled pages: changing one needs no
# new build. Any other setting, a new one included, counts as part of the build (a safe default).
RUNTIME_ONLY_SETTINGS: Final = frozenset(
    {
        "secret_key",
        "database_url",
        "redis_url",
        "smtp_url",
        "mail_from",
        "medialog_api_token",
        "medialog_api_url",
        "medialog_auto_process_after",
        "demo_history",
        "worker_concurrency",
        "celery_queue",
        "overlap_scan_interval",
        "security_log",
        "broker_visibility_timeout",
        "db_pool_size",
        "db_max_overflow",
        "trusted_proxies",
        "metrics_token",
        "metrics_allowed",
        "worker_metrics_port",
        "log_format",
        "log_level",
        "franceconnect_issuer",
        "franceconnect_client_id",
        "franceconnect_client_secret",
        "franceconnect_local_port",
        "event_rate",
        "event_burst",
        "event_overruns_before_close",
        "login_rate",
        "login_burst",
        "address_sockets_per_minute",
        "address_events_per_minute",
        "address_logins_per_minute",
    }
)


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


def _frontend_sources() -> Iterator[Path]:
    """The files a frontend build is made from: the app's code and data, its assets, the locks."""
    for folder in FRONTEND_SOURCE_DIRS:
        for path in sorted((PROJECT_ROOT / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                yield path
    for name in FRONTEND_SOURCE_FILES:
        yield PROJECT_ROOT / name


def frontend_fingerprint(settings: Settings) -> str:
    """A digest of all a frontend build depends on: the sources, Reflex's and Vite's variables,
    and every setting but those only the running processes read (the address the pages call
    back, the session durations the legal pages state, the demo pages...)."""
    digest = hashlib.sha256()
    for path in _frontend_sources():
        digest.update(f"{path.relative_to(PROJECT_ROOT)}\0".encode())
        digest.update(path.read_bytes())
    variables = {
        key: value
        for key, value in child_env(settings).items()
        if key.startswith(BUILD_VARIABLES) and key not in RUNTIME_ONLY_VARIABLES
    }
    values = settings.model_dump(mode="json", exclude=set(RUNTIME_ONLY_SETTINGS))
    digest.update(json.dumps([variables, values], sort_keys=True, default=str).encode())
    return digest.hexdigest()


def build_is_current(fingerprint: str) -> bool:
    """Whether the frontend in place was built, whole, from what `fingerprint` digests."""
    built = BUILD_STAMP.read_text() if BUILD_STAMP.is_file() else ""
    return built == fingerprint and (FRONTEND_DIR / "index.html").is_file()


def _kept_build(fingerprint: str) -> Path:
    return BUILDS_KEPT_DIR / fingerprint


def _keep_build(fingerprint: str) -> None:
    """Copy the build in place among the kept ones, and drop the oldest beyond BUILDS_KEPT."""
    kept = _kept_build(fingerprint)
    shutil.rmtree(kept, ignore_errors=True)
    shutil.copytree(FRONTEND_DIR, kept)
    builds = sorted(BUILDS_KEPT_DIR.iterdir(), key=lambda path: path.stat().st_mtime, reverse=True)
    for old in builds[BUILDS_KEPT:]:
        shutil.rmtree(old, ignore_errors=True)


def export_frontend(settings: Settings) -> int:
    """Build the frontend's static files (`reflex export --frontend-only`), once per release.

    A build made from the same sources and settings is not made again: the one in place is
    kept, or one of the last BUILDS_KEPT builds is put back (`serve` then starts in seconds,
    and the tests' apps, served with a few sets of settings, build once per set). One build
    at a time in this folder."""
    fingerprint = frontend_fingerprint(settings)
    place = (
        FRONTEND_DIR.relative_to(PROJECT_ROOT) if FRONTEND_DIR.is_relative_to(PROJECT_ROOT) else FRONTEND_DIR
    )
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    with (VAR_DIR / "frontend-build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if build_is_current(fingerprint):
            print(f"Frontend déjà construit pour cette version dans {place}.")
            return 0
        BUILD_STAMP.unlink(missing_ok=True)
        kept = _kept_build(fingerprint)
        if (kept / "index.html").is_file():
            shutil.rmtree(FRONTEND_DIR, ignore_errors=True)
            shutil.copytree(kept, FRONTEND_DIR)
            kept.touch()
            BUILD_STAMP.write_text(fingerprint)
            print(f"Frontend de cette version remis en place dans {place}.")
            return 0
        reflex = str(Path(sys.executable).parent / "reflex")
        command = [reflex, "export", "--frontend-only", "--no-zip", "--env", "prod"]
        result = subprocess.run(command, cwd=PROJECT_ROOT, env=child_env(settings), check=False)
        if result.returncode != 0 or not (FRONTEND_DIR / "index.html").is_file():
            print("L'export du frontend a échoué (voir ci-dessus).", file=sys.stderr)
            return 1
        _keep_build(fingerprint)
        BUILD_STAMP.write_text(fingerprint)
    print(f"Frontend exporté dans {place}.")
    return 0


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
