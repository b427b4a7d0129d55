"""RGAA 13.1: the session's idle expiry warns before it ends the session, "Prolonger" extends it
server-side, and screen readers are told (live regions).

The app is served with a short idle timeout (SESSION_IDLE_TIMEOUT=24 s, warning 16 s before),
by its own server: the browser suite's app keeps the 30 minutes of production.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlmodel import Session, col, select

from rxapp import routes
from rxapp.db import make_engine
from rxapp.models import SessionKind, WebSession, utcnow
from rxapp.services.demo import DEMO_CODE
from rxapp.settings import VAR_DIR
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, VIEWPORTS
from tests.support.databases import scratch_database
from tests.support.processes import RunningApp, running_app
from tests.support.worker import require_redis

IDLE_SECONDS = 24
WARNING_SECONDS = 16
JULIE = "2 95 07 01 053 089 53"  # no overlap: no dialog over the dashboard
WARNING = "votre session se fermera dans moins de 16 s"
EXTENDED = "Votre session est prolongée"
EXPIRED = "Votre session a expiré"
PAGE_TIMEOUT = 20_000  # ms


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[RunningApp, str]]:
    require_redis("redis://127.0.0.1:6379/0")
    with scratch_database("expiry") as database_url:
        overrides = {
            "DATABASE_URL": database_url,
            "SESSION_IDLE_TIMEOUT": str(IDLE_SECONDS),
            "SESSION_EXPIRY_WARNING": str(WARNING_SECONDS),
            "CELERY_QUEUE": f"expiry-{time.monotonic_ns()}",
        }
        with running_app(overrides, VAR_DIR / "tests" / "expiry-server.log") as app:
            yield app, database_url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _idle_seconds(database_url: str) -> float:
    """How long ago the newest insured session was last active, read in the database."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            last_seen = session.exec(
                select(WebSession.last_seen_at)
                .where(WebSession.kind == SessionKind.INSURED, col(WebSession.revoked_at).is_(None))
                .order_by(col(WebSession.created_at).desc())
            ).first()
    finally:
        engine.dispose()
    assert last_seen is not None
    return (utcnow() - last_seen).total_seconds()


def _log_in(page: Page) -> None:
    page.goto(routes.LOGIN)
    page.get_by_label("Numéro de sécurité sociale").fill(JULIE)
    page.get_by_label("Code", exact=True).fill(DEMO_CODE)
    page.get_by_role("button", name="Me connecter").click()
    # A busy machine may take more than expect's 5 s to open the session and load the dashboard.
    expect(page.get_by_text("Bonjour Julie PETIT", exact=True)).to_be_visible(timeout=PAGE_TIMEOUT)


def _live_text(page: Page, role: str) -> str:
    """The text of the page's live regions of this role, joined."""
    return " ".join(page.get_by_role(role).all_inner_texts())


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_session_expiry_warns_and_extends(
    served: tuple[RunningApp, str], browser: Browser, viewport: str
) -> None:
    app, database_url = served
    context = browser.new_context(viewport=VIEWPORTS[viewport], base_url=app.url, locale="fr-FR")
    try:
        page = context.new_page()
        _log_in(page)
        warning = page.get_by_role("alert").filter(has_text=WARNING)
        expect(warning).to_have_count(0)
        # The warning comes before the end: while it shows, the session is still live.
        expect(warning).to_be_visible(timeout=IDLE_SECONDS * 1000)
        assert _idle_seconds(database_url) < IDLE_SECONDS
        assert WARNING in _live_text(page, "alert")  # told to screen readers (role=alert)

        page.get_by_role("button", name="Prolonger").click()
        expect(page.get_by_role("status").filter(has_text=EXTENDED)).to_be_visible(timeout=PAGE_TIMEOUT)
        expect(warning).to_have_count(0)
        assert _idle_seconds(database_url) < 3, "« Prolonger » n'a pas repoussé l'expiration côté serveur"

        if viewport == "phone":
            # Left alone, the session ends: the page says so, and the account pages send to the login.
            expect(page.get_by_role("alert").filter(has_text=EXPIRED)).to_be_visible(
                timeout=(IDLE_SECONDS + 10) * 1000
            )
            assert _idle_seconds(database_url) > IDLE_SECONDS - 1
            page.goto(routes.PAYMENTS)
            expect(page.get_by_role("heading", level=1, name="J'accède à mon compte ameli")).to_be_visible(
                timeout=PAGE_TIMEOUT
            )
    finally:
        context.close()
