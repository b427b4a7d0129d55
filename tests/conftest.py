"""Shared fixtures: a migrated scratch database and sessions on it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from rxapp.db import make_engine
from tests.support.databases import scratch_database, upgrade_to_head


@pytest.fixture(scope="session")
def migrated_database_url() -> Iterator[str]:
    """A scratch database on the test server, migrated to head, for the whole run."""
    with scratch_database("services") as url:
        upgrade_to_head(url)
        yield url


@pytest.fixture(scope="session")
def engine(migrated_database_url: str) -> Iterator[Engine]:
    engine = make_engine(migrated_database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def db_session(engine: Engine) -> Iterator[Session]:
    """A session whose work is rolled back after the test."""
    connection = engine.connect()
    transaction = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield session
    finally:
        session.close()
        transaction.rollback()
        connection.close()
