"""The installable app (manifest, service worker, offline page), the démarches of
"Vos démarches en 2 clics", the délais page and the dashboard's notification courte."""

from __future__ import annotations

import io
import time
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import Browser, ConsoleMessage, Page, expect
from pypdf import PdfReader
from sqlmodel import Session

from rxapp import routes
from rxapp.db import make_engine
from rxapp.models import Notification, utcnow
from rxapp.pages.procedures import QUICK_PROCEDURES
from rxapp.services.demo import AIN
from rxapp.services.inbox import PROCESSED_NOTICE
from rxapp.services.medialog.closure import CLOSURE_BODY, CLOSURE_TITLE
from rxapp.services.routing import DIGNE_CODE_ORGANISME
from tests.e2e.conftest import VIEWPORTS
from tests.e2e.helpers import (
    LOGIN_HEADING,
    assert_accessible,
    assert_no_horizontal_scroll,
    log_in_as,
)
from tests.support.affaires import account_id_of, add_affaire, cpam_id_of
from tests.support.processes import RunningApp

JULIE = "2 95 07 01 053 089 53"
OFFLINE_HEADING = "Vous êtes hors connexion…"


def test_the_app_is_installable_and_shows_the_french_offline_page_without_network(
    browser: Browser, app: RunningApp, viewport: str
) -> None:
    # Its own context: going offline makes the open page's websocket fail, an error this test
    # provokes on purpose; any other console error still fails it.
    context = browser.new_context(viewport=VIEWPORTS[viewport], base_url=app.url, locale="fr-FR")
    context.set_default_timeout(15_000)
    errors: list[str] = []
    offline = False

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and not (offline and "ERR_INTERNET_DISCONNECTED" in message.text):
            errors.append(message.text)

    page = context.new_page()
    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto("/")
        expect(page.get_by_role("heading", level=1, name=LOGIN_HEADING)).to_be_visible()
        # Head elements have no role: the manifest link is found by its rel.
        expect(page.locator('head link[rel="manifest"]')).to_have_attribute("href", routes.MANIFEST)
        manifest = page.evaluate("fetch('/manifest.webmanifest').then((response) => response.json())")
        assert (manifest["short_name"], manifest["lang"], manifest["display"]) == (
            "ameli",
            "fr",
            "standalone",
        )
        # The service worker registers, then takes control of the page.
        # Polled with evaluate: wait_for_function compiles its predicate in the page, which our CSP
        # (no 'unsafe-eval') refuses whenever the first check is false.
        deadline = time.monotonic() + 30
        while not page.evaluate(
            "() => Boolean(navigator.serviceWorker && navigator.serviceWorker.controller)"
        ):
            assert time.monotonic() < deadline, "the service worker never took control of the page"
            page.wait_for_timeout(100)
        assert page.evaluate("navigator.serviceWorker.controller.scriptURL").endswith(routes.SERVICE_WORKER)

        offline = True
        context.set_offline(True)
        page.reload()
        expect(page.get_by_role("heading", level=1, name=OFFLINE_HEADING)).to_be_visible()
        expect(page.get_by_role("link", name="Réessayer")).to_be_visible()
        assert_no_horizontal_scroll(page)
        assert_accessible(page)
        # Nothing personal was cached: only the shell's files.
        cached = page.evaluate(
            """async () => {
                const urls = [];
                for (const name of await caches.keys()) {
                    const cache = await caches.open(name);
                    for (const request of await cache.keys()) urls.push(new URL(request.url).pathname);
                }
                return urls;
            }"""
        )
        assert cached and all(
            url.startswith(("/assets/", "/icons/"))
            or url in {"/offline.html", "/manifest.webmanifest", "/styles.css", "/favicon.ico"}
            for url in cached
        ), cached

        context.set_offline(False)
        page.get_by_role("link", name="Réessayer").click()
        expect(page.get_by_role("heading", level=1, name=LOGIN_HEADING)).to_be_visible()
        offline = False
        assert not errors, errors
    finally:
        context.close()


def test_each_quick_procedure_leads_to_its_own_page(page: Page, viewport: str, tmp_path: Path) -> None:
    log_in_as(page, JULIE, "Julie PETIT")
    for procedure in QUICK_PROCEDURES:
        block = page.get_by_role("region", name="Vos démarches en 2 clics")
        block.get_by_role("link", name=procedure.name, exact=True).click()
        expect(page.get_by_role("heading", level=1, name=procedure.name)).to_be_visible()
        assert page.url.endswith(procedure.route)
        expect(page.get_by_text("bientôt disponible")).to_have_count(0)
        assert_no_horizontal_scroll(page)
        assert_accessible(page)
        if procedure.route == routes.RIGHTS_ATTESTATION:
            with page.expect_download() as download:
                page.get_by_role("link", name="Télécharger mon attestation de droits (PDF)").click()
            target = tmp_path / "attestation.pdf"
            download.value.save_as(target)
            text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(target.read_bytes())).pages)
            assert "JULIE PETIT" in text
            assert "2 95 07 01 053 089 53" in text
            assert "CPAM de l'Ain (code organisme 01 011 1411)" in text
        page.get_by_role("navigation", name="Navigation principale").get_by_role(
            "link", name="Accueil"
        ).click()
        expect(page.get_by_role("heading", level=1, name="Bonjour Julie PETIT")).to_be_visible()


def test_the_delais_page_shows_the_figures_of_the_closed_affaires(
    page: Page, viewport: str, fresh_demo_data: str
) -> None:
    engine = make_engine(fresh_demo_data)
    try:
        with Session(engine) as session:
            julie = account_id_of(session, JULIE)
            ain, digne = cpam_id_of(session, AIN), cpam_id_of(session, DIGNE_CODE_ORGANISME)
            now = utcnow()
            for cpam_id, days, is_complex in [
                *((ain, days, False) for days in (1, 2, 3, 5, 8, 10, 20)),
                (digne, 4, True),
                (digne, 12, True),
            ]:
                delay = timedelta(days=days)
                add_affaire(
                    session,
                    account_id=julie,
                    cpam_id=cpam_id,
                    created_at=now - timedelta(days=5) - delay,
                    closed_after=delay,
                    is_complex=is_complex,
                )
            session.commit()
    finally:
        engine.dispose()

    log_in_as(page, JULIE, "Julie PETIT")
    page.goto(routes.PROCESSING_DELAYS)
    expect(page.get_by_role("heading", level=1, name="Consulter les délais de traitement")).to_be_visible()
    ain_block = page.get_by_role("region", name="Votre caisse")
    expect(ain_block.get_by_role("heading", name="CPAM de l'Ain")).to_be_visible()
    for term, value in (
        ("Demandes clôturées", "7"),
        ("Délai médian", "5 jours"),
        ("9 demandes sur 10 clôturées en", "20 jours"),
        ("Clôturées en 7 jours ou moins", "57 %"),
    ):
        expect(ain_block.get_by_role("term").filter(has_text=term)).to_be_visible()
        expect(ain_block.get_by_role("definition").filter(has_text=value).first).to_be_visible()
    table = ain_block.get_by_role(
        "table", name="Répartition des demandes clôturées selon leur délai de traitement"
    )
    for label, count in (("2 jours ou moins", "2"), ("3 à 7 jours", "2"), ("15 à 30 jours", "1")):
        row = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=label))
        expect(row.get_by_role("cell").first).to_have_text(count)
    complex_block = page.get_by_role("region", name="Cas complexes")
    expect(complex_block.get_by_role("definition").filter(has_text="8 jours")).to_be_visible()
    expect(complex_block.get_by_role("definition").filter(has_text="50 %")).to_be_visible()
    assert_no_horizontal_scroll(page)
    assert_accessible(page)


def test_the_notification_courte_shows_at_the_top_once_the_request_is_processed(
    page: Page, viewport: str, fresh_demo_data: str
) -> None:
    engine = make_engine(fresh_demo_data)
    try:
        with Session(engine) as session:
            session.add(
                Notification(account_id=account_id_of(session, JULIE), title=CLOSURE_TITLE, body=CLOSURE_BODY)
            )
            session.commit()
    finally:
        engine.dispose()
    log_in_as(page, JULIE, "Julie PETIT")
    notice = page.get_by_role("status").filter(has_text=PROCESSED_NOTICE)
    expect(notice).to_be_visible()
    expect(notice).to_be_in_viewport()  # on a phone too: right under the greeting
    notice.get_by_role("link", name="Voir la notification").click()
    expect(page.get_by_role("heading", level=1, name="Notifications")).to_be_visible()
