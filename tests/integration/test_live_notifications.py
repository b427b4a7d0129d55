"""Live notifications by push: the closure, delivered by the real worker, reaches the open
dashboard with no polling, and idle dashboards cost no SQL (rxapp/live_updates.py).

The app's own counter `ameli_sql_statements_total{source="events"}` (every statement the
event handlers send through the gate) is read from `/metrics` before and after a quiet
window: the former polling sent about three statements per dashboard every 3 s.
"""

from __future__ import annotations

import asyncio
import os
import re
import time
from collections.abc import Iterator

import httpx
import pytest
from celery import Celery
from sqlmodel import Session

from rxapp.db import make_engine
from rxapp.models import Affaire
from rxapp.services import medialog
from rxapp.settings import VAR_DIR
from rxapp.state.dashboard import DashboardState
from tests.integration.test_websocket_security import logged_in_insured
from tests.support.affaires import closed_affaire_of
from tests.support.databases import scratch_database
from tests.support.processes import RunningApp, running_app
from tests.support.reflex_socket import ReflexTab, state_path
from tests.support.worker import broker_url_for_tests, require_redis

RENALDO, LUCIE = "1741171270102 58", "2851201053118 12"
# Long enough for the former polling (every 3 s) to have run twice on each open dashboard.
QUIET_WINDOW = 7.0
EVENT_SQL = re.compile(r'^ameli_sql_statements_total\{source="events"\} ([0-9.e+]+)$', re.MULTILINE)


@pytest.fixture(scope="module")
def database_url() -> Iterator[str]:
    with scratch_database("live") as url:
        yield url


@pytest.fixture(scope="module")
def app(database_url: str) -> Iterator[RunningApp]:
    """The app and its worker on Redis and PostgreSQL, as in production."""
    require_redis(broker_url_for_tests())
    overrides = {
        "DATABASE_URL": database_url,
        "REDIS_URL": broker_url_for_tests(),
        "CELERY_QUEUE": f"live-{os.getpid()}",
    }
    with running_app(overrides, VAR_DIR / "tests" / "live-server.log") as running:
        yield running


def event_statements(app: RunningApp) -> float:
    """The statements the app's event handlers sent so far (all its backend workers)."""
    found = EVENT_SQL.search(httpx.get(f"{app.url}/metrics", timeout=10).text)
    return float(found.group(1)) if found else 0.0


def closed_affaire(database_url: str, nir: str) -> int:
    """A closed affaire of the account, its side effects not delivered yet."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            affaire_id = closed_affaire_of(session, nir)
            session.commit()
            assert session.get(Affaire, affaire_id).notified_at is None
        return affaire_id
    finally:
        engine.dispose()


def unread(update: dict) -> int | None:
    return (
        (update.get("delta") or {}).get(state_path(DashboardState), {}).get("unread_notifications_rx_state_")
    )


def test_a_closure_reaches_the_open_dashboard_by_push_and_idle_dashboards_cost_no_sql(
    app: RunningApp, database_url: str
) -> None:
    async def scenario() -> tuple[ReflexTab, ReflexTab, float, float]:
        renaldo = await logged_in_insured(app, RENALDO)
        lucie = await logged_in_insured(app, LUCIE)
        assert renaldo.var(DashboardState, "unread_notifications") == 0
        before = event_statements(app)
        await asyncio.sleep(QUIET_WINDOW)  # a measurement window, not a wait for a condition
        idle = event_statements(app) - before
        lucie_mark = len(lucie.received)

        # Closed only now: the worker's sweep of closures never delivered (after 8 s) would
        # otherwise deliver it before the dashboards open.
        affaire_id = closed_affaire(database_url, RENALDO)
        sent = time.perf_counter()
        client = Celery("tests", broker=app.env["REDIS_URL"])
        client.send_task("backoffice.deliver_closure", args=(affaire_id,), queue=app.env["CELERY_QUEUE"])
        arrived = await renaldo.wait_for(lambda update: unread(update) == 1, after=sent, timeout=30)
        assert arrived is not None, renaldo.errors
        await lucie.wait_idle(settle=1.0)
        assert lucie.received[lucie_mark:] == [], "another account's dashboard must not be touched"
        for tab in (renaldo, lucie):
            await tab.close()
        return renaldo, lucie, idle, arrived - sent

    renaldo, _, idle_statements, latency = asyncio.run(scenario())
    assert idle_statements == 0, f"{idle_statements} statements for two idle dashboards in {QUIET_WINDOW} s"
    # The server asked the tab to reload (a push), and the tab called the gated handler back.
    assert renaldo.last_sent("refresh_notifications") is not None
    titles = [row["title"] for row in renaldo.var(DashboardState, "notifications")]
    assert medialog.CLOSURE_TITLE in titles
    # From the task's send (the worker picks it up, commits, publishes) to the dashboard's update.
    assert latency < 5.0, latency


def test_a_forged_refresh_without_a_session_reads_nothing(app: RunningApp) -> None:
    async def scenario() -> ReflexTab:
        tab = ReflexTab(app.url)
        await tab.connect("/tableau-de-bord", settle=1.0)
        await tab.send(f"{state_path(DashboardState)}.refresh_notifications", settle=1.0)
        await tab.close()
        return tab

    tab = asyncio.run(scenario())
    assert tab.var(DashboardState, "notifications") in (None, [])
    assert "/" in tab.redirects
