"""The embedded default: SQLite, no Redis, nothing else running.

Each test serves the app when no other app of the module is serving: on the same port, the
same settings give the same frontend build (tests/support/processes.py).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from datetime import date
from pathlib import Path

import httpx
from playwright.sync_api import expect, sync_playwright
from sqlmodel import Session, select

from rxapp.db import make_engine
from rxapp.models import Beneficiary, ComplementaryContract, InsuredPerson, NoemieLink
from rxapp.services import medialog
from rxapp.settings import VAR_DIR
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.integration.test_live_notifications import RENALDO, closed_affaire, unread
from tests.integration.test_websocket_security import logged_in_insured
from tests.support.processes import running_app
from tests.support.reflex_socket import ReflexTab
from tests.support.worker import wait_for


def test_make_run_default_serves_login_and_worker_without_any_server() -> None:
    with tempfile.TemporaryDirectory(prefix="embedded-") as folder:
        database_url = f"sqlite:///{Path(folder) / 'ameli.db'}"
        overrides = {
            "DATABASE_URL": database_url,
            "REDIS_URL": None,
            "OVERLAP_SCAN_INTERVAL": "1",
            # A queue the SQLite broker has never seen, as on a first `make run`:
            # the worker and its beat must not race to create it.
            "CELERY_QUEUE": f"smoke-{os.getpid()}-{time.monotonic_ns()}",
        }
        with running_app(overrides, VAR_DIR / "tests" / "embedded-server.log") as app:
            response = httpx.get(app.url)
            assert response.status_code == 200
            assert (
                "J&#x27;accède à mon compte ameli" in response.text
                or "J'accède à mon compte ameli" in response.text
            )

            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(base_url=app.url)
                page.goto("/")
                page.get_by_label("Numéro de sécurité sociale").fill("1 74 11 71 270 102 58")
                page.get_by_label("Code", exact=True).fill("Demo2026!")
                page.get_by_role("button", name="Me connecter").click()
                # His overlap is unresolved: the modal dialog opens over the greeting.
                expect(page.get_by_role("dialog")).to_be_visible(timeout=15_000)
                expect(page.get_by_text("Bonjour Renaldo ZOVI", exact=True)).to_be_visible()
                browser.close()

            # The worker and its beat run on kombu's SQLite transport.
            engine = make_engine(database_url)
            with Session(engine) as session:
                julie = session.exec(select(InsuredPerson).where(InsuredPerson.nir == "2950701053089")).one()
                beneficiary = session.exec(
                    select(Beneficiary).where(Beneficiary.insured_id == julie.id)
                ).one()
                session.add(
                    ComplementaryContract(
                        beneficiary_id=beneficiary.id,
                        organisation_id=1,
                        member_number="SMOKE-1",
                        start_date=date(2026, 1, 1),
                    )
                )
                session.commit()
                beneficiary_id = beneficiary.id

            def both_blocked() -> bool:
                with Session(engine) as session:
                    links = session.exec(
                        select(ComplementaryContract.noemie_link).where(
                            ComplementaryContract.beneficiary_id == beneficiary_id
                        )
                    ).all()
                return len(links) == 2 and all(link is NoemieLink.BLOCKED for link in links)

            wait_for(both_blocked, timeout=60, message="le scan périodique du worker sur SQLite")
            engine.dispose()


def test_the_embedded_default_shows_a_closure_without_redis() -> None:
    """SQLite, no Redis: the web process watches the newest notification, once for all dashboards."""
    with tempfile.TemporaryDirectory(prefix="live-embedded-") as folder:
        database_url = f"sqlite:///{Path(folder) / 'ameli.db'}"
        overrides = {
            "DATABASE_URL": database_url,
            "REDIS_URL": None,
            "CELERY_QUEUE": f"live-embedded-{os.getpid()}-{time.monotonic_ns()}",
        }
        with running_app(overrides, VAR_DIR / "tests" / "live-embedded-server.log") as app:

            async def scenario() -> tuple[ReflexTab, float]:
                renaldo = await logged_in_insured(app, RENALDO)
                affaire_id = closed_affaire(database_url, RENALDO)
                engine = make_engine(database_url)
                try:
                    with Session(engine) as session:
                        assert medialog.apply_closure(session=session, affaire_id=affaire_id)
                        session.commit()
                finally:
                    engine.dispose()
                sent = time.perf_counter()
                arrived = await renaldo.wait_for(lambda update: unread(update) == 1, after=sent, timeout=30)
                assert arrived is not None, renaldo.errors
                await renaldo.close()
                return renaldo, arrived - sent

            renaldo, latency = asyncio.run(scenario())
            assert renaldo.last_sent("refresh_notifications") is not None
            assert latency < 10.0, latency
