"""The attestation de droits route and the installable app's files, served by the real app
(`python -m rxapp.cli serve`, as `make run` does, with the demo history on).

One server start for every case: starting the app costs about 30 s.
"""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Iterator
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from PIL import Image
from sqlalchemy import func
from sqlmodel import Session, col, select

from rxapp import routes
from rxapp.db import make_engine
from rxapp.models import Affaire
from rxapp.services.attestation import verification_reference
from rxapp.services.auth import login_insured
from rxapp.services.demo import DEMO_CODE
from rxapp.services.demo_history import HISTORY_AFFAIRE_PREFIX
from rxapp.services.formatting import PARIS
from rxapp.settings import VAR_DIR, get_settings
from tests.support.documents import assert_closed_without_a_live_session, pdf_text
from tests.support.processes import RunningApp, running_app

RENALDO_NIR = "1 74 11 71 270 102"
SERVICE_WORKER_SCRIPT = "/register-sw.js"


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[RunningApp, str]]:
    with tempfile.TemporaryDirectory(prefix="applinks-") as folder:
        database_url = f"sqlite:///{Path(folder) / 'ameli.db'}"
        overrides = {"DATABASE_URL": database_url, "REDIS_URL": None, "DEMO_HISTORY": "1"}
        with running_app(overrides, VAR_DIR / "tests" / "applinks-server.log") as app:
            yield app, database_url


class _HeadTags(HTMLParser):
    """The attributes of every <link>, <meta> and <script> of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"link", "meta", "script"}:
            self.tags.append((tag, dict(attrs)))


def _head_tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _HeadTags()
    parser.feed(html)
    return parser.tags


def test_the_attestation_holds_the_insureds_rights_and_opens_only_with_a_live_session(
    served: tuple[RunningApp, str],
) -> None:
    app, database_url = served
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            session_id = login_insured(session=session, nir=RENALDO_NIR, code=DEMO_CODE).session_id
            session.commit()
    finally:
        engine.dispose()

    with httpx.Client(base_url=app.url, timeout=30) as client:
        signed_in = {"Cookie": f"ameli_session={session_id}"}
        response = client.get(routes.ATTESTATION_PDF, headers=signed_in)
        today = datetime.now(PARIS).date()
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/pdf"
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["content-disposition"].startswith("attachment;")
        text = pdf_text(response.content)
        for expected in (
            "Attestation de droits",
            "RENALDO ZOVI",
            "1 74 11 71 270 102 58",
            "Vos droits à l'Assurance Maladie sont ouverts.",
            "CPAM de l'Ain (code organisme 01 011 1411)",
            "NOEMIE ZOVI, né(e) le 18/05/2002",
            "SERENA ZOVI, né(e) le 10/10/2005",
            "BATISTE ZOVI, né(e) le 29/08/2008",
            "RENALDO ZOVI, né(e) le 22/11/1974",
            today.strftime("%d/%m/%Y"),
            verification_reference(nir="1741171270102", issued_on=today, secret=get_settings().secret_key),
        ):
            assert expected in text, expected

        assert_closed_without_a_live_session(
            client, routes.ATTESTATION_PDF, database_url=database_url, session_id=session_id
        )


def test_the_manifest_is_valid_and_linked_and_the_service_worker_is_served(
    served: tuple[RunningApp, str],
) -> None:
    app, _ = served
    with httpx.Client(base_url=app.url, timeout=30) as client:
        manifest = client.get(routes.MANIFEST)
        assert manifest.status_code == 200
        data = json.loads(manifest.text)
        assert data["short_name"] == "ameli"
        assert data["lang"] == "fr"
        assert data["display"] == "standalone"
        assert data["name"].startswith("Compte ameli")
        assert data["theme_color"].startswith("#")
        assert data["start_url"] == routes.DASHBOARD
        sizes = {}
        for icon in data["icons"]:
            image = client.get(icon["src"])
            assert image.status_code == 200 and image.headers["content-type"] == "image/png"
            sizes[icon["sizes"]] = Image.open(io.BytesIO(image.content)).size
        assert sizes == {"192x192": (192, 192), "512x512": (512, 512)}

        for route in (routes.LOGIN, routes.DASHBOARD, routes.PROCESSING_DELAYS, routes.ADMIN_LOGIN):
            tags = _head_tags(client.get(route, follow_redirects=True).text)
            assert ("link", {"href": routes.MANIFEST, "rel": "manifest"}) in tags, route
            assert ("link", {"href": "/icons/apple-touch-icon.png", "rel": "apple-touch-icon"}) in tags, route
            assert ("meta", {"content": "#0c419a", "name": "theme-color"}) in tags, route
            assert any(
                tag == "script" and attrs.get("src") == SERVICE_WORKER_SCRIPT for tag, attrs in tags
            ), route
        touch_icon = client.get("/icons/apple-touch-icon.png")
        assert Image.open(io.BytesIO(touch_icon.content)).size == (180, 180)

        worker = client.get(routes.SERVICE_WORKER)
        assert worker.status_code == 200
        assert "javascript" in worker.headers["content-type"]
        assert "/api/" in worker.text and "/_event" in worker.text
        assert client.get(SERVICE_WORKER_SCRIPT).status_code == 200
        offline = client.get(routes.OFFLINE_PAGE)
        assert offline.status_code == 200
        assert "Vous êtes hors connexion" in offline.text


def test_make_run_seeds_the_closure_history(served: tuple[RunningApp, str]) -> None:
    _, database_url = served
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            history = session.exec(
                select(func.count())
                .select_from(Affaire)
                .where(col(Affaire.reference).startswith(HISTORY_AFFAIRE_PREFIX))
            ).one()
    finally:
        engine.dispose()
    assert history > 0
