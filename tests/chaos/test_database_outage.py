"""The database unavailable at submit: the insured is told their choice was not recorded,
and nothing partial is stored; once it is back, the same choice is recorded once.

The database is reached through a TCP proxy that the test cuts (connections reset) and
restores; the real PostgreSQL server is never touched.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, WebSocket, expect, sync_playwright
from sqlalchemy import func
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select

from rxapp import routes
from rxapp.db import make_engine
from rxapp.models import (
    Account,
    AffaireOutbox,
    InsuredPerson,
    Message,
    OverlapRequest,
    OverlapRequestLine,
)
from rxapp.settings import VAR_DIR
from tests.chaos.harness import BATCH, Figures, record_figures
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.helpers import log_in_as
from tests.support.databases import scratch_database, upgrade_to_head
from tests.support.population import create_population, submit_choices
from tests.support.processes import RunningApp, running_app
from tests.support.tcp_proxy import TcpProxy, tcp_proxy
from tests.support.worker import broker_url_for_tests, require_redis

pytestmark = [
    pytest.mark.chaos,
    pytest.mark.server_errors_expected(
        "the database is cut on purpose: the app logs the refused submissions"
    ),
]

LUCIE = "2851201053118"
ARTIFACTS = VAR_DIR / "chaos" / "database_outage"
NOT_RECORDED = "Service momentanément indisponible, votre choix n'a pas été enregistré, réessayez."


@pytest.fixture(scope="module")
def database() -> Iterator[tuple[str, TcpProxy, str]]:
    """A migrated scratch database, its direct URL, a proxy to it and the proxied URL."""
    with scratch_database("chaos_database") as url:
        upgrade_to_head(url)
        parsed = make_url(url)
        with tcp_proxy(parsed.host or "127.0.0.1", parsed.port or 5432) as proxy:
            yield (
                url,
                proxy,
                parsed.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False),
            )


@pytest.fixture(scope="module")
def direct(database: tuple[str, TcpProxy, str]) -> Iterator[Engine]:
    """An engine that bypasses the proxy: the test's own view of what was stored."""
    engine = make_engine(database[0])
    yield engine
    engine.dispose()


def _count(engine: Engine, model, *where) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model).where(*where)).one()


@pytest.fixture
def app(database: tuple[str, TcpProxy, str]) -> Iterator[RunningApp]:
    """The app (and its worker) with its database behind the proxy, for one test."""
    broker = broker_url_for_tests()
    require_redis(broker)
    overrides = {
        "DATABASE_URL": database[2],
        "REDIS_URL": broker,
        "CELERY_QUEUE": f"chaos-db-{os.getpid()}",
        # Few database connections: the shared server's are counted.
        "GRANIAN_WORKERS": "1",
        "WORKER_CONCURRENCY": "1",
    }
    with running_app(overrides, ARTIFACTS / "server.log") as running:
        yield running


class PageLoads:
    """Watches a page's Reflex websocket: have the on_load handlers of a page run to the end?

    On a navigation the browser sends `on_load_internal` with the new path; the app runs the
    page's on_load handlers, then sets `is_hydrated` back to true. Some on_load handlers (the
    recap's only reads) change nothing visible, so this is the condition to wait for.
    """

    def __init__(self, page: Page) -> None:
        self._page = page
        self._path = ""
        self._sent = self._loaded = False
        self.frames: list[str] = []  # the last ones go into the failure message
        page.on("websocket", self._on_socket)

    def _on_socket(self, socket: WebSocket) -> None:
        socket.on("framesent", self._on_sent)
        socket.on("framereceived", self._on_received)

    def _on_sent(self, payload: str | bytes) -> None:
        frame = str(payload)
        self.frames.append(f"> {frame[:300]}")
        if self._path and "on_load_internal" in frame and f'"pathname":"{self._path}"' in frame:
            self._sent = True

    def _on_received(self, payload: str | bytes) -> None:
        frame = str(payload)
        self.frames.append(f"< {frame[:300]}")
        if self._sent and '"is_hydrated_rx_state_":true' in frame:
            self._loaded = True

    def expect(self, path: str) -> None:
        """From now on, watch for the navigation to `path` and the end of its on_load handlers."""
        self._path, self._sent, self._loaded = path, False, False

    def wait(self, timeout: float = 20) -> None:
        """Return once the expected page's on_load handlers are done; fail after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while not self._loaded:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"Chargement de {self._path} non terminé en {timeout} s :\n"
                    + "\n".join(self.frames[-12:])
                )
            self._page.wait_for_timeout(50)  # lets Playwright deliver the websocket frames


@pytest.fixture
def page(app: RunningApp) -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser: Browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=app.url, locale="fr-FR", timezone_id="Europe/Paris")
        context.set_default_timeout(20_000)
        page = context.new_page()
        yield page
        page.screenshot(path=str(ARTIFACTS / "last-page.png"), full_page=True)
        context.close()
        browser.close()


def test_confirming_with_the_database_down_says_so_and_records_nothing(
    app: RunningApp, page: Page, database: tuple[str, TcpProxy, str], direct: Engine
) -> None:
    _, proxy, _ = database
    loads = PageLoads(page)
    with Session(direct) as session:
        account_id = session.exec(
            select(Account.id).join(InsuredPerson).where(InsuredPerson.nir == LUCIE)
        ).one()
    lucie = OverlapRequest.account_id == account_id
    log_in_as(page, LUCIE, "Lucie MICHEL")
    page.get_by_role("dialog", name="Votre complémentaire santé").get_by_role(
        "button", name="Sélectionner"
    ).click()
    page.get_by_role("group", name="Nom : LUCIE MICHEL").get_by_role(
        "radio", name="MUTUELLE PREVIFRANCE"
    ).check()
    loads.expect(routes.RECAP)
    page.get_by_role("button", name="Passer à l'étape suivante").click()
    expect(page.get_by_text("Étape 2 sur 2")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="LUCIE MICHEL")).to_contain_text(
        "MUTUELLE PREVIFRANCE"
    )
    # The recap's on_load reads the database, with nothing to see in the page when it is
    # done; cut before its end, it (not "Confirmer") would meet the outage.
    loads.wait()
    expect(page.get_by_role("button", name="Confirmer")).to_be_visible()

    proxy.cut()
    try:
        page.get_by_role("button", name="Confirmer").click()
        expect(page.get_by_role("alert").filter(has_text=NOT_RECORDED)).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "not-recorded.png"))
        expect(page.get_by_text("Étape 2 sur 2")).to_be_visible()
        assert _count(direct, OverlapRequest, lucie) == 0
        assert _count(direct, AffaireOutbox) == _count(direct, OverlapRequest)
    finally:
        proxy.restore()

    page.get_by_role("button", name="Confirmer").click()
    expect(page.get_by_role("heading", level=1, name="Votre choix a bien été transmis.")).to_be_visible()
    assert _count(direct, OverlapRequest, lucie) == 1
    with Session(direct) as session:
        request_id = session.exec(select(OverlapRequest.id).where(lucie)).one()
    assert _count(direct, AffaireOutbox, AffaireOutbox.request_id == request_id) == 1


def test_a_batch_cut_mid_way_stores_nothing_partial(
    database: tuple[str, TcpProxy, str], direct: Engine
) -> None:
    _, proxy, proxied_url = database
    with Session(direct) as session:
        population = create_population(session=session, count=BATCH)
        session.commit()
    ids = population.account_ids
    engine = make_engine(proxied_url)
    try:
        first = submit_choices(engine=engine, account_ids=ids[:80])
        proxy.cut()
        refused: list[int] = []
        for account_id in ids[80:140]:
            with pytest.raises(OperationalError):
                submit_choices(engine=engine, account_ids=[account_id])
            refused.append(account_id)
        mine = col(OverlapRequest.account_id).in_(ids)
        assert _count(direct, OverlapRequest, mine) == len(first)
        assert _count(direct, OverlapRequest, col(OverlapRequest.account_id).in_(refused)) == 0
        assert _count(direct, Message, col(Message.account_id).in_(refused)) == 0
        proxy.restore()
        restored_at = time.monotonic()
        again = submit_choices(engine=engine, account_ids=refused[:1])
        recovery = time.monotonic() - restored_at
        rest = submit_choices(engine=engine, account_ids=[*refused[1:], *ids[140:]])
    finally:
        engine.dispose()

    request_ids = [*first, *again, *rest]
    with Session(direct) as session:
        per_account = session.exec(
            select(OverlapRequest.account_id, func.count()).where(mine).group_by(OverlapRequest.account_id)
        ).all()
        outbox = _count(direct, AffaireOutbox, col(AffaireOutbox.request_id).in_(request_ids))
        lines = _count(direct, OverlapRequestLine, col(OverlapRequestLine.request_id).in_(request_ids))
    duplicated = sum(count - 1 for _, count in per_account)
    figures = Figures(
        scenario="database_outage_batch",
        requests=len(per_account) + duplicated,
        faults=len(refused),
        fault_detail=f"base coupée pendant {len(refused)} soumissions, toutes refusées sans écriture",
        lost=BATCH - len(per_account),
        duplicated=duplicated,
        recovery_s=round(recovery, 1),
        stuck=BATCH - outbox,
    )
    record_figures(figures)
    assert len(per_account) == BATCH and duplicated == 0
    assert outbox == BATCH and lines == 2 * BATCH
