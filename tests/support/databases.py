"""Scratch databases for the tests, on the server named by DATABASE_URL."""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from rxapp.db import make_engine

CI_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def base_database_url() -> str:
    """The server the suites run against: DATABASE_URL, as `.ci/run` sets it."""
    return os.environ.get("DATABASE_URL") or CI_DATABASE_URL


def require_database(url: str) -> None:
    """Fail (never skip) with a message naming the database when it does not answer."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as error:
        pytest.fail(
            f"Base de données injoignable pour les tests (DATABASE_URL={make_url(url).render_as_string()}): "
            f"{str(error.orig).splitlines()[0]}",
            pytrace=False,
        )
    finally:
        engine.dispose()


@contextmanager
def scratch_database(name: str, base_url: str | None = None) -> Iterator[str]:
    """An empty database named after `name`, dropped afterwards.

    PostgreSQL: a new database on the same server. SQLite: a temporary file.
    """
    base = make_url(base_url or base_database_url())
    safe = re.sub(r"[^a-z0-9_]", "_", name.lower())[:40]
    if base.get_backend_name() == "sqlite":
        with tempfile.TemporaryDirectory(prefix=f"{safe}-") as folder:
            yield f"sqlite:///{Path(folder) / 'test.db'}"
        return
    require_database(base.render_as_string(hide_password=False))
    database = f"{base.database}_{safe}_{os.getpid()}"
    admin = make_engine(base.render_as_string(hide_password=False)).execution_options(
        isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{database}"'))
    try:
        yield base.set(database=database).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()


def upgrade_to_head(url: str) -> None:
    """Run `alembic upgrade head` on `url`."""
    from alembic.config import Config

    from alembic import command
    from rxapp.settings import PROJECT_ROOT

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["database_url"] = url
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")


def migrate_and_seed(url: str) -> None:
    """Migrate `url` to head and load the demo data (personas, agents, reference rows)."""
    from sqlmodel import Session

    from rxapp.services.demo import seed_demo_data

    upgrade_to_head(url)
    engine = make_engine(url)
    with Session(engine) as session:
        seed_demo_data(session=session)
        session.commit()
    engine.dispose()


def reset_demo_data(database_url: str, attempts: int = 3) -> None:
    """Empty every table of `database_url` and load the demo data again.

    A running worker's periodic scan may hold row locks at that moment, and the shared server
    may be out of connections: an OperationalError (a deadlock) is retried, after a short wait.

    Args:
        database_url: A database migrated to head (PostgreSQL or SQLite).
        attempts: How many times to try before the error is raised.
    """
    from sqlmodel import Session, SQLModel

    import rxapp.models  # noqa: F401 - every table, for the reset
    from rxapp.services.demo import seed_demo_data

    engine = make_engine(database_url)
    tables = [table.name for table in SQLModel.metadata.sorted_tables]
    try:
        for attempt in range(1, attempts + 1):
            try:
                with Session(engine) as session:
                    if engine.dialect.name == "postgresql":
                        session.exec(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
                    else:
                        for table in reversed(tables):
                            session.exec(text(f"DELETE FROM {table}"))
                    seed_demo_data(session=session)
                    session.commit()
                return
            except OperationalError:
                if attempt == attempts:
                    raise
                time.sleep(min(3 * attempt, 15))
    finally:
        engine.dispose()
