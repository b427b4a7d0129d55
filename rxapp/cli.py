"""Command line: `python -m rxapp.cli COMMAND` (`--help` lists them).

`serve` is what `make run` and the browser tests start: it checks the
configuration, waits for the database, migrates, seeds the demo data, then
runs the Reflex app (production mode) and the Celery worker with beat, and
stops them all on Ctrl-C. With `APP_ENV=production` it seeds nothing and
prints no credential.

A deployment runs one role per process instead (`rxapp.commands.roles`; `export`
in `rxapp.commands.frontend_build`): `migrate` and `export` once per release,
then `web`, `worker` and `beat`.
Operators manage agents with `agent ...` and remove the demo with `purge-demo`
(`rxapp.commands.agent_accounts`).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

from rxapp.commands import StartupError, child_env, frontend_build, roles
from rxapp.commands.agent_accounts import add_parsers as add_agent_parsers
from rxapp.commands.agent_accounts import run_agent_command, run_purge_demo
from rxapp.settings import PROJECT_ROOT, VAR_DIR, ConfigurationError, Settings, load_settings

DB_WAIT_SECONDS = 20
# Where Reflex keeps the tabs' states without Redis (its REFLEX_STATES_WORKDIR default).
STATES_DIR = ".states"
SEED_REFUSED = (
    "La commande seed est refusée en production (APP_ENV=production) : "
    "les données de démonstration n'ont rien à faire dans le vrai service."
)


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<URL illisible>"


def wait_for_database(settings: Settings, timeout: float = DB_WAIT_SECONDS) -> None:
    """Wait until the database answers, or raise a one-line StartupError."""
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    from rxapp.db import make_engine

    engine = make_engine(settings.database_url)
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                with engine.connect() as connection:
                    connection.execute(text("SELECT 1"))
                return
            except SQLAlchemyError as error:
                if time.monotonic() > deadline:
                    reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
                    where = _redact(settings.database_url)
                    message = f"Base de données injoignable (DATABASE_URL={where}) : {reason}"
                    raise StartupError(message) from None
                time.sleep(0.5)
    finally:
        engine.dispose()


def check_redis(settings: Settings) -> None:
    """Fail with a one-line StartupError when REDIS_URL is set and does not answer."""
    if not settings.redis_url:
        return
    import redis

    try:
        redis.Redis.from_url(settings.redis_url, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        where = _redact(settings.redis_url)  # never its password
        raise StartupError(f"Redis injoignable (REDIS_URL={where}) : {error}") from None


def prepare_broker(settings: Settings) -> None:
    """Create the worker's queue before the worker and its beat start.

    kombu's SQLAlchemy transport creates a queue row on first use; when the
    worker and the beat do it at the same instant on a fresh SQLite broker, one
    gets a UNIQUE violation and its session stays unusable (every periodic
    task then fails). Declaring the queue first removes the race.
    """
    if settings.uses_redis:
        return
    from backoffice_worker.celery_app import app

    with app.connection_for_write() as connection:
        connection.default_channel.queue_declare(queue=settings.celery_queue)


def migrate(settings: Settings) -> None:
    """`alembic upgrade head`, under a PostgreSQL advisory lock (see `roles.migrate_under_lock`)."""
    roles.migrate_under_lock(settings)


def seed(*, history: bool = False) -> None:
    from rxapp.db import session_scope
    from rxapp.services.demo import seed_demo_data
    from rxapp.services.demo_history import seed_closure_history

    with session_scope() as session:
        report = seed_demo_data(session=session)
        added = seed_closure_history(session=session) if history else 0
    print(
        f"Données de démonstration : {report.personas_created} assurés et "
        f"{report.agents_created} agents ajoutés, {added} affaires clôturées en historique."
    )


def _banner(settings: Settings) -> str:
    from rxapp.services.demo import AGENT_PASSWORD, AGENTS, DEMO_CODE, PERSONAS

    lines = [
        "",
        f"  Compte ameli : {settings.base_url}",
        f"  Espace agents Medialog+ : {settings.base_url}/admin",
        f"  Code de tous les assurés : {DEMO_CODE}",
    ]
    lines += [
        f"    {p.nir:<24} {p.insured.first_name.title()} {p.insured.last_name} — {p.situation}"
        for p in PERSONAS
    ]
    lines.append(f"  Mot de passe des agents : {AGENT_PASSWORD}")
    lines += [f"    {login}" for login, _, _ in AGENTS]
    lines.append("  Ctrl-C arrête tout.\n")
    return "\n".join(lines)


def _production_banner(settings: Settings) -> str:
    # No credential: production has no demo account (start-up refused otherwise).
    return f"\n  Compte ameli : {settings.base_url}\n  Ctrl-C arrête tout.\n"


def prepare_role(settings: Settings) -> None:
    """The checks every long-running role makes before it starts (web, worker, beat).

    The database answers and is at head, Redis answers, and in production no
    demo password opens an account.
    """
    wait_for_database(settings)
    check_redis(settings)
    roles.require_schema_at_head(settings)
    roles.refuse_demo_credentials(settings)


def local_franceconnect(settings: Settings, env: dict[str, str]) -> dict[str, list[str]]:
    """The local FranceConnect provider's command, when FRANCECONNECT_ISSUER is empty.

    It listens on FRANCECONNECT_LOCAL_PORT (or a free port); the app's environment
    gets its issuer. Production never gets here: the settings refuse an empty issuer.
    """
    if settings.franceconnect_issuer:
        return {}
    port = settings.franceconnect_local_port or _free_port()
    # "localhost", while the browser tests open the app at 127.0.0.1: another site, so that the
    # return from the provider is a cross-site navigation, as from the real FranceConnect.
    issuer = f"http://localhost:{port}/api/v2"
    env["FRANCECONNECT_ISSUER"] = issuer
    command = [sys.executable, "-m", "rxapp.franceconnect_local", "--port", str(port), "--issuer", issuer]
    return {"franceconnect": command}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(settings: Settings) -> int:
    """Run the app and the worker until Ctrl-C or until one of them stops."""
    wait_for_database(settings)
    check_redis(settings)
    migrate(settings)
    if not settings.is_production:
        seed(history=settings.demo_history)
    roles.refuse_demo_credentials(settings)
    prepare_broker(settings)
    # The frontend is built once per version, then served by the web role: a second start takes
    # seconds. Without Redis, Reflex keeps the tabs' states on disk: a new start forgets them.
    if frontend_build.export_frontend(settings) != 0:
        return 1
    if not settings.uses_redis:
        shutil.rmtree(PROJECT_ROOT / STATES_DIR, ignore_errors=True)
    env = child_env(settings)
    commands = {
        "app": roles.web_command(),
        "worker": roles.celery_worker_command(
            settings, with_beat=True, hostname=f"worker-{settings.app_port}@%h"
        ),
    }
    commands |= local_franceconnect(settings, env)
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    children: dict[str, subprocess.Popen] = {}
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        for name, command in commands.items():
            children[name] = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, start_new_session=True)
        banner = _production_banner(settings) if settings.is_production else _banner(settings)
        print(banner, flush=True)
        while not stopping:
            for name, child in children.items():
                if child.poll() is not None:
                    print(f"Le processus « {name} » s'est arrêté (code {child.returncode}).", file=sys.stderr)
                    return 1
            time.sleep(0.5)
        return 0
    finally:
        if stopping:
            # Celery finishes its running tasks first (warm shutdown): a few seconds.
            print("Arrêt de l'application et du worker…", flush=True)
        _stop_children(children)


def _stop_children(children: dict[str, subprocess.Popen]) -> None:
    for name, child in children.items():
        if child.poll() is None:
            if name == "worker":
                # Celery's warm shutdown: its main process lets the running tasks finish and stops
                # its pool itself; a TERM to the whole group would kill the tasks mid-way.
                os.kill(child.pid, signal.SIGTERM)
            else:
                os.killpg(child.pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    for child in children.values():
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="rxapp", description="Compte ameli : démarrage et données.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("check", help="vérifier la configuration")
    sub.add_parser("migrate", help="appliquer les migrations Alembic (sous verrou PostgreSQL)")
    sub.add_parser("seed", help="charger les données de démonstration (idempotent ; refusé en production)")
    sub.add_parser(
        "serve", help="tout en une commande (démo) : migrer, charger la démo, application et worker"
    )
    sub.add_parser("export", help="construire une fois par version les fichiers statiques du frontend")
    sub.add_parser("web", help="rôle web : le backend Reflex et l'API, servant le frontend exporté")
    sub.add_parser("worker", help="rôle worker : Celery, sans planificateur")
    sub.add_parser("beat", help="rôle beat : le seul planificateur (verrou Redis)")
    sub.add_parser(
        "cluster",
        help="essai local de la production : Caddy, deux instances web, worker et beat (make cluster)",
    )
    add_agent_parsers(sub)
    args = parser.parse_args(argv)
    if args.command == "cluster":
        from rxapp.commands.cluster import run_cluster

        return run_cluster(dict(os.environ))
    try:
        settings = load_settings()
        return _run(args, settings)
    except (ConfigurationError, StartupError) as error:
        print(str(error), file=sys.stderr)
        return 2


def _run(args: argparse.Namespace, settings: Settings) -> int:
    command = args.command
    if command == "check":
        wait_for_database(settings, timeout=3)
        check_redis(settings)
        print("Configuration valide.")
        return 0
    if command == "seed" and settings.is_production:
        raise StartupError(SEED_REFUSED)
    if command == "export":
        return frontend_build.export_frontend(settings)
    wait_for_database(settings)
    if command == "migrate":
        migrate(settings)
        return 0
    if command == "seed":
        seed(history=settings.demo_history)
        return 0
    if command in {"agent", "cpam", "purge-demo"}:
        from rxapp.services.audit import configure_security_log

        roles.require_schema_at_head(settings)
        configure_security_log(settings.security_log)
        return run_purge_demo() if command == "purge-demo" else run_agent_command(args)
    if command == "serve":
        return serve(settings)
    prepare_role(settings)
    if command == "web":
        roles.run_web(settings)
    elif command == "worker":
        roles.run_worker(settings)
    return roles.run_beat(settings)


if __name__ == "__main__":
    sys.exit(main())
