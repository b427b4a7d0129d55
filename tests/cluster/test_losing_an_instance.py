"""Renaldo's journey at phone size in Chromium, through Caddy, losing his web instance between
the recap and the confirmation.

Which instance holds his websocket is found from the instances' own counters: each one counts
the Reflex events it handles (/metrics, read directly on its port). Nothing else talks to the
cluster over a websocket during this test, so the instance whose count grows while his page
goes from the selection to the recap is the one holding his socket. That whole instance (its
process group: granian and its worker) gets SIGKILL. Reflex's page reconnects by itself; Caddy
sends the new socket to the surviving instance, which finds his tab's state in Redis.
"""

from __future__ import annotations

import re
import signal
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from sqlalchemy import func
from sqlmodel import Session, select

from rxapp.db import make_engine
from rxapp.models import Affaire, OverlapRequest
from tests.cluster.conftest import RunningCluster
from tests.cluster.helpers import events_on, events_per_instance, until
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, VIEWPORTS
from tests.e2e.helpers import close_affaire_as_agent, log_in_as
from tests.support.affaires import account_id_of

RENALDO = "1 74 11 71 270 102"
CHOICE = "LA BALOISE ASSURANCES"
CLOSED_TEXT = "La transmission automatique des paiements à votre complémentaire est activée."
# While his instance is gone, the page's socket fails until it reconnects: the only errors allowed.
CONNECTION_ERRORS = re.compile(
    r"WebSocket|websocket|socket|_event|ERR_CONNECTION|502|503|Failed to fetch", re.I
)

pytestmark = pytest.mark.server_errors_expected("a web instance is killed with SIGKILL on purpose")


def _requests_and_affaires(database_url: str) -> tuple[int, int, str | None]:
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            account = account_id_of(session, RENALDO)
            requests = session.exec(
                select(func.count()).select_from(OverlapRequest).where(OverlapRequest.account_id == account)
            ).one()
            affaires = session.exec(
                select(Affaire.reference).join(OverlapRequest).where(OverlapRequest.account_id == account)
            ).all()
            return requests, len(affaires), (affaires[0] if affaires else None)
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium for this module only: the sync Playwright keeps an event loop in this thread,
    which the other modules' asyncio.run would refuse."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(browser: Browser, cluster: RunningCluster) -> Iterator[tuple[Page, list[str]]]:
    context = browser.new_context(
        viewport=VIEWPORTS["phone"], base_url=cluster.plan.url, locale="fr-FR", has_touch=True
    )
    context.set_default_timeout(20_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
    yield page, errors
    context.close()


def _close_as_agent(browser: Browser, cluster: RunningCluster, reference: str) -> None:
    context: BrowserContext = browser.new_context(
        viewport=VIEWPORTS["phone"], base_url=cluster.plan.url, locale="fr-FR", has_touch=True
    )
    context.set_default_timeout(20_000)
    try:
        close_affaire_as_agent(context.new_page(), reference)
    finally:
        context.close()


def test_renaldo_loses_his_instance_between_recap_and_confirmation(
    phone: tuple[Page, list[str]], browser: Browser, cluster: RunningCluster
) -> None:
    page, console_errors = phone
    assert _requests_and_affaires(cluster.database_url)[:2] == (0, 0)
    log_in_as(page, RENALDO, "Renaldo ZOVI")
    page.get_by_role("dialog").get_by_role("button", name="Sélectionner").click()
    for person in ("RENALDO ZOVI", "SERENA ZOVI", "BATISTE ZOVI"):
        page.get_by_role("group", name=f"Nom : {person}").get_by_role("radio", name=CHOICE).check()

    before = events_per_instance(cluster)
    page.get_by_role("button", name="Passer à l'étape suivante").click()
    expect(page.get_by_text("Confirmez votre choix de complémentaire :")).to_be_visible()
    grown = until(
        lambda: [
            i for i, (a, b) in enumerate(zip(before, events_per_instance(cluster), strict=True)) if b > a
        ],
        timeout=10,
        message="l'instance qui a traité le passage au récapitulatif",
    )
    assert len(grown) == 1, f"les deux instances ont traité ses événements : {grown}"
    holder = grown[0]
    survivor = 1 - holder
    killed = f"web-{holder + 1}"
    cluster.kill(killed, signal.SIGKILL)
    try:
        # The page reconnects through the proxy to the other instance, with his choices and session.
        recap = page.get_by_role("listitem").filter(has_text="SERENA ZOVI")
        expect(recap).to_contain_text(CHOICE)
        survivor_before = events_on(cluster, survivor)
        page.get_by_role("button", name="Confirmer").click()
        expect(page.get_by_role("heading", level=1, name="Votre choix a bien été transmis.")).to_be_visible(
            timeout=30_000
        )
        expect(page.get_by_text(re.compile(r"Référence de votre demande : DEM-\d{4}-"))).to_be_visible()
        assert events_on(cluster, survivor) > survivor_before, (
            "la confirmation n'est pas passée par l'autre instance"
        )

        # The worker creates the affaire through the proxy (the surviving instance's API).
        reference = until(
            lambda: _requests_and_affaires(cluster.database_url)[2],
            timeout=60,
            message="l'affaire de Renaldo",
        )
        page.get_by_role("link", name="Retourner au tableau de bord").click()
        expect(page.get_by_role("heading", level=2, name="0 Notification")).to_be_visible()
        _close_as_agent(browser, cluster, reference)
        expect(page.get_by_role("heading", level=2, name="1 Notification")).to_be_visible(timeout=30_000)
        expect(page.get_by_text(CLOSED_TEXT)).to_be_visible()
        assert _requests_and_affaires(cluster.database_url)[:2] == (1, 1)
        assert cluster.processes[killed].poll() is not None, "l'instance tuée n'est pas revenue d'elle-même"
    finally:
        cluster.start_web(holder)
        until(lambda: cluster.web_ready(holder), timeout=90, message=f"{killed} relancée")
    unexpected = [error for error in console_errors if not CONNECTION_ERRORS.search(error)]
    assert not unexpected, unexpected
