"""The operator's command line, run as a subprocess against real PostgreSQL and Redis.

Agents (add, password, disable, list), the demo refusals in production, the
migration lock and the one beat.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from sqlalchemy import func, text
from sqlmodel import Session, select

from rxapp.commands.roles import BEAT_LOCK_NAME
from rxapp.db import make_engine
from rxapp.models import Agent, SessionKind, WebSession
from rxapp.services.audit import read_security_log
from rxapp.services.auth import LoginRefused, agent_for_session, login_agent
from rxapp.services.demo_accounts import demo_credentials_in_use
from rxapp.settings import PROJECT_ROOT, Settings
from tests.support.cli import one_line_refusal, run_cli
from tests.support.databases import migrate_and_seed, scratch_database, upgrade_to_head
from tests.support.redis_server import redis_server

SETTING_VARIABLES = {name.upper() for name in Settings.model_fields}
GOOD_PASSWORD = "Tq7-vlB2#pWz9e"
OTHER_GOOD_PASSWORD = "Lm4!rXc8_vQp2w"
PRODUCTION = {
    "FRANCECONNECT_ISSUER": "https://fcp-low.integ01.dev-franceconnect.fr/api/v2",
    "FRANCECONNECT_CLIENT_SECRET": "franceconnect-client-secret-0123456789",
    "APP_ENV": "production",
    "SECRET_KEY": "s" * 40,
    "MEDIALOG_API_TOKEN": "medialog-production-token-0123456789",
    "REDIS_URL": os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0",
    "SMTP_URL": "smtp://127.0.0.1:2525",
}


def _env(database_url: str, security_log: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key.upper() not in SETTING_VARIABLES}
    return {**env, "DATABASE_URL": database_url, "SECURITY_LOG": str(security_log), **extra}


def _agents(url: str) -> dict[str, Agent]:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return {agent.login: agent for agent in session.exec(select(Agent)).all()}
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def migrated_url() -> Iterator[str]:
    with scratch_database("production_cli") as url:
        upgrade_to_head(url)
        yield url


@pytest.fixture(scope="module")
def seeded_url() -> Iterator[str]:
    with scratch_database("production_demo") as url:
        migrate_and_seed(url)
        yield url


def _add(
    env: dict[str, str], login: str, password: str, cpam: str = "01 011 1411"
) -> subprocess.CompletedProcess:
    return run_cli(
        env, "agent", "add", "--login", login, "--cpam", cpam, "--name", "Marie Curie", "--password-stdin",
        stdin=password + "\n",
    )  # fmt: skip


def test_agent_add_password_disable_and_list(seeded_url: str, tmp_path: Path) -> None:
    env = _env(seeded_url, tmp_path / "security.jsonl")

    added = _add(env, "Marie.Curie", GOOD_PASSWORD)
    assert added.returncode == 0, added.stderr
    assert GOOD_PASSWORD not in added.stdout + added.stderr
    assert _agents(seeded_url)["marie.curie"].cpam_id is not None

    changed = run_cli(
        env, "agent", "password", "marie.curie", "--password-stdin", stdin=OTHER_GOOD_PASSWORD + "\n"
    )
    assert changed.returncode == 0, changed.stderr
    disabled = run_cli(env, "agent", "disable", "marie.curie")
    assert disabled.returncode == 0, disabled.stderr
    assert _agents(seeded_url)["marie.curie"].disabled_at is not None

    listing = run_cli(env, "agent", "list")
    assert listing.returncode == 0
    line = next(line for line in listing.stdout.splitlines() if line.startswith("marie.curie"))
    assert "01 011 1411" in line and "désactivé" in line and "Marie Curie" in line
    assert any(line.startswith("agent.paris") and "actif" in line for line in listing.stdout.splitlines())

    log = read_security_log(tmp_path / "security.jsonl")
    assert [event["event"] for event in log] == ["agent_added", "agent_password_changed", "agent_disabled"]
    raw = (tmp_path / "security.jsonl").read_text()
    assert GOOD_PASSWORD not in raw and OTHER_GOOD_PASSWORD not in raw


@pytest.mark.parametrize(
    ("login", "password", "cpam", "reason"),
    [
        ("jean.valjean", "Agent2026!", "01 011 1411", "démonstration"),
        ("jean.valjean", "short-9!", "01 011 1411", "12 caractères"),
        ("jean.valjean.24601", "jean.valjean.24601", "01 011 1411", "identifiant"),
        ("jean.valjean", "password123456", "01 011 1411", "trop courant"),
        ("jean.valjean", GOOD_PASSWORD, "99 999 9999", "aucune CPAM"),
        ("agent.ain", GOOD_PASSWORD, "01 011 1411", "existe déjà"),
        ("Jean Valjean!", GOOD_PASSWORD, "01 011 1411", "Identifiant invalide"),
    ],
)
def test_a_refused_agent_add_says_why_and_leaves_nothing(
    seeded_url: str, tmp_path: Path, login: str, password: str, cpam: str, reason: str
) -> None:
    before = _agents(seeded_url)

    message = one_line_refusal(_add(_env(seeded_url, tmp_path / "security.jsonl"), login, password, cpam))

    assert reason.lower() in message.lower()
    assert password not in message
    assert _agents(seeded_url).keys() == before.keys()
    assert _agents(seeded_url)["agent.ain"].password_hash == before["agent.ain"].password_hash


def test_a_cpam_then_its_agent_whose_disable_revokes_its_open_sessions_at_once(
    migrated_url: str, tmp_path: Path
) -> None:
    env = _env(migrated_url, tmp_path / "security.jsonl")
    declared = run_cli(
        env, "cpam", "add", "--code", "01 011 1411", "--name", "CPAM de l'Ain", "--city", "Bourg-en-Bresse"
    )
    assert declared.returncode == 0, declared.stderr
    assert "existe déjà" in one_line_refusal(
        run_cli(
            env,
            "cpam",
            "add",
            "--code",
            "01 011 1411",
            "--name",
            "CPAM de l'Ain",
            "--city",
            "Bourg-en-Bresse",
        )
    )
    assert _add(env, "paul.verlaine", GOOD_PASSWORD).returncode == 0
    engine = make_engine(migrated_url)
    with Session(engine) as session:
        opened = [
            login_agent(session=session, login="paul.verlaine", password=GOOD_PASSWORD) for _ in range(2)
        ]
        session.commit()

    disabled = run_cli(env, "agent", "disable", "paul.verlaine")

    assert disabled.returncode == 0, disabled.stderr
    assert "2 session(s) fermée(s)" in disabled.stdout
    with Session(engine) as session:
        assert all(agent_for_session(session=session, session_id=o.session_id) is None for o in opened)
        rows = session.exec(select(WebSession).where(WebSession.kind == SessionKind.AGENT)).all()
        assert len(rows) == 2 and all(row.revoked_at is not None for row in rows)
        with pytest.raises(LoginRefused):
            login_agent(session=session, login="paul.verlaine", password=GOOD_PASSWORD)
    engine.dispose()


def test_seed_is_refused_in_production(migrated_url: str, tmp_path: Path) -> None:
    result = run_cli(_env(migrated_url, tmp_path / "security.jsonl", **PRODUCTION), "seed")

    assert "seed est refusée en production" in one_line_refusal(result)
    engine = make_engine(migrated_url)
    with Session(engine) as session:
        assert (
            session.exec(select(func.count()).select_from(Agent).where(Agent.login == "agent.ain")).one() == 0
        )
    engine.dispose()


def test_two_migrations_started_together_both_succeed_and_the_schema_is_at_head_once(tmp_path: Path) -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(Config(str(PROJECT_ROOT / "alembic.ini"))).get_current_head()
    with scratch_database("migrate_lock") as url:
        env = _env(url, tmp_path / "security.jsonl")
        processes = [
            subprocess.Popen(
                [sys.executable, "-m", "rxapp.cli", "migrate"],
                cwd=PROJECT_ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for _ in range(2)
        ]
        outputs = [process.communicate(timeout=180)[0] for process in processes]
        assert [process.returncode for process in processes] == [0, 0], outputs
        # One process ran the revisions, the other found the schema at head.
        assert sum("Running upgrade  -> 0001" in output for output in outputs) == 1, outputs
        engine = make_engine(url)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [
                head
            ]
        engine.dispose()


def _wait_for(condition, timeout: float = 60, interval: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(interval)


def test_production_start_is_refused_until_the_demo_accounts_are_gone_then_one_beat_only(
    seeded_url: str, tmp_path: Path
) -> None:
    with redis_server() as server:
        env = _env(seeded_url, tmp_path / "security.jsonl", **{**PRODUCTION, "REDIS_URL": server.url(0)})

        for role in ("worker", "beat"):
            message = one_line_refusal(run_cli(env, role))
            assert (
                "purge-demo" in message
                and "agent.paris" in message
                and "assuré(s) de démonstration" in message
            )

        purged = run_cli(env, "purge-demo")
        assert purged.returncode == 0, purged.stderr
        engine = make_engine(seeded_url)
        with Session(engine) as session:
            assert not demo_credentials_in_use(session=session).any
        engine.dispose()

        client = redis.Redis.from_url(server.url(0))
        first = subprocess.Popen(
            [sys.executable, "-m", "rxapp.cli", "beat"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            _wait_for(lambda: client.exists(BEAT_LOCK_NAME) or first.poll() is not None)
            assert first.poll() is None, first.communicate()[0]

            second = run_cli(env, "beat")

            assert "Un autre beat tourne déjà" in one_line_refusal(second)
            assert first.poll() is None
        finally:
            first.terminate()  # by PID: the beat stops its scheduler and releases its lock
            output = first.communicate(timeout=30)[0]
        assert first.returncode == 0, output
        assert not client.exists(BEAT_LOCK_NAME)


def test_serve_in_production_seeds_nothing_prints_no_credential_and_refuses_a_demo_password(
    tmp_path: Path,
) -> None:
    from rxapp.models import Cpam, InsuredPerson
    from rxapp.services.demo import AGENT_PASSWORD, DEMO_CODE
    from rxapp.services.security import hash_secret

    with scratch_database("production_serve") as url:
        upgrade_to_head(url)
        engine = make_engine(url)
        with Session(engine) as session:
            cpam = Cpam(code_organisme="01 011 1411", name="CPAM de l'Ain", city="Bourg-en-Bresse")
            session.add(cpam)
            session.flush()
            assert cpam.id is not None
            session.add(Agent(login="ancien.agent", password_hash=hash_secret(AGENT_PASSWORD), display_name="A", cpam_id=cpam.id))  # fmt: skip
            session.commit()

        result = run_cli(_env(url, tmp_path / "security.jsonl", **PRODUCTION), "serve")

        # serve migrates first (Alembic logs its two lines), then refuses in one line.
        assert result.returncode == 2 and "Traceback" not in result.stderr
        message = result.stderr.strip().splitlines()[-1]
        assert "ancien.agent" in message and "agent password LOGIN" in message and "purge-demo" in message
        assert AGENT_PASSWORD not in result.stdout + result.stderr
        assert DEMO_CODE not in result.stdout + result.stderr
        with Session(engine) as session:
            assert session.exec(select(func.count()).select_from(InsuredPerson)).one() == 0
            assert [agent.login for agent in session.exec(select(Agent)).all()] == ["ancien.agent"]
        engine.dispose()
