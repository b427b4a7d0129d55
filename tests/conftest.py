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

# The longest scopes of `make test` (var/tests/junit-*.xml), longest first; the others follow in
# their order. A worker takes one scope at a time: a long one handed out last would keep the
# other worker idle until it ends.
LONGEST_FIRST = (
    "tests/cluster",
    "tests/chaos/test_database_outage.py",
    "tests/chaos/test_medialog_outage.py",
    "tests/chaos/test_redis_restart.py",
    "tests/chaos/test_smtp_outage.py",
    "tests/chaos/test_worker_killed.py",
    # The longest module, and it serves the default app: it builds the default frontend first.
    "tests/integration/test_websocket_security.py",
    # Frontend builds are made one at a time (export's lock), about a minute each. While the
    # default one is built, the other workers run modules that serve no app; the short-session
    # app's module comes next, its build after the default one, and modules serving no app fill
    # in while it builds, rather than wait for the lock.
    "tests/integration/test_production_cli.py",
    "tests/integration/test_startup_errors.py",
    "tests/unit/test_admin_handlers.py",
    "tests/integration/test_session_expiry.py",
    "tests/unit/test_journey_handlers.py",
    "tests/integration/test_auth_service.py",
    "tests/integration/test_client_address_throttling.py",
    "tests/integration/test_websocket_abuse.py",
    "tests/integration/test_live_notifications.py",
    "tests/integration/test_embedded_default.py",
    "tests/integration/test_backoffice_loop.py",
    "tests/integration/test_payments_inbox_services.py",
    "tests/integration/test_statement_api.py",
    "tests/e2e/test_rgaa.py",
    "tests/e2e/test_journey.py",
    "tests/e2e/test_admin.py",
    "tests/e2e/test_exclusions.py",
    "tests/e2e/test_payments_inbox.py",
    "tests/e2e/test_app_and_procedures.py",
    "tests/e2e/test_accessible_documents.py",
    "tests/e2e/test_login.py",
    "tests/e2e/test_loop.py",
    "tests/e2e/test_franceconnect.py",
    "tests/e2e/test_french_fallbacks.py",
)


def _scope(nodeid: str) -> str:
    """What one worker runs whole: the cluster suite (its tests share one cluster, a package
    fixture, and a second worker would start a second one over its log folder), else a module."""
    if nodeid.startswith("tests/cluster/"):
        return "tests/cluster"
    return nodeid.split("::", 1)[0]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The longest scopes first, each scope's tests in their order."""
    rank = {scope: position for position, scope in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(_scope(item.nodeid), len(rank)))


@pytest.hookimpl(optionalhook=True)  # pytest-xdist's hook: unknown when run with -p no:xdist
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """Under `--dist loadscope`, each `_scope` goes to one worker, in the order of the collection
    (not xdist's, by number of tests). (`--dist loadgroup` would say this with marks, but
    pytest-xdist 3.8 names the groups through an attribute pytest 9 no longer reads.)"""
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    config.option.loadscopereorder = False

    class SuiteScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _scope(nodeid)

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
