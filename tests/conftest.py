"""Shared fixtures: a migrated scratch database and sessions on it, and the watch on the
logs of the servers under test (a test fails when one of them logged an ERROR during it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from rxapp.db import make_engine
from tests.support import server_logs
from tests.support.databases import scratch_database, upgrade_to_head


@pytest.hookimpl(optionalhook=True)  # pytest-xdist's hook: unknown when run with -p no:xdist
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """Under `--dist loadscope`, each module goes to one worker, and the cluster suite as a whole:
    its tests share one cluster (a package fixture), and a second worker would start a second
    cluster over the first one's log folder. (`--dist loadgroup` would say this with marks, but
    pytest-xdist 3.8 names the groups through an attribute pytest 9 no longer reads.)"""
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class SuiteScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            if nodeid.startswith("tests/cluster/"):
                return "tests/cluster"
            return super()._split_scope(nodeid)

    return SuiteScheduling(config, log)


@pytest.fixture(autouse=True)
def no_server_errors(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail the test when a server it ran against logged an ERROR or a traceback meanwhile.

    The app, its worker and the chaos suite's processes register their log files
    (tests/support/server_logs.py). A test that provokes server errors on purpose opts out
    with `@pytest.mark.server_errors_expected("why")`; the reason is mandatory.
    """
    marker = request.node.get_closest_marker(server_logs.MARKER)
    if marker is not None and not (marker.args or marker.kwargs.get("reason")):
        pytest.fail(f"@pytest.mark.{server_logs.MARKER} needs a reason", pytrace=False)
    start = server_logs.SERVERS.positions()
    yield
    if marker is not None:
        return
    errors = server_logs.SERVERS.errors_since(start)
    if errors:
        pytest.fail(
            "Le serveur sous test a journalisé des erreurs pendant ce test :\n"
            + "\n".join(str(error) for error in errors),
            pytrace=False,
        )


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
