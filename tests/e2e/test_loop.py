"""The whole loop in two browsers: Renaldo chooses, an agent of Ain closes the affaire,
and Renaldo's open dashboard shows the notification without a reload."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, select

from rxapp.db import make_engine
from rxapp.models import Affaire
from tests.e2e.conftest import VIEWPORTS
from tests.e2e.helpers import close_affaire_as_agent, log_in_as
from tests.support.processes import RunningApp
from tests.support.worker import wait_for

CLOSED_TEXT = "La transmission automatique des paiements à votre complémentaire est activée."


def _affaire_reference(database_url: str) -> str | None:
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            return session.exec(select(Affaire.reference)).first()
    finally:
        engine.dispose()


def test_agent_closes_and_the_open_dashboard_shows_the_notification(
    page: Page, viewport: str, browser: Browser, app: RunningApp, fresh_demo_data: str
) -> None:
    log_in_as(page, "1 74 11 71 270 102", "Renaldo ZOVI")
    page.get_by_role("dialog").get_by_role("button", name="Sélectionner").click()
    for person in ("RENALDO ZOVI", "SERENA ZOVI", "BATISTE ZOVI"):
        page.get_by_role("group", name=f"Nom : {person}").get_by_role(
            "radio", name="LA BALOISE ASSURANCES"
        ).check()
    page.get_by_role("button", name="Passer à l'étape suivante").click()
    page.get_by_role("button", name="Confirmer").click()
    expect(page.get_by_role("heading", level=1, name="Votre choix a bien été transmis.")).to_be_visible()
    page.get_by_role("link", name="Retourner au tableau de bord").click()
    expect(page.get_by_role("heading", level=2, name="0 Notification")).to_be_visible()

    # The worker turns the request into an affaire through the Medialog+ API.
    reference = wait_for(
        lambda: _affaire_reference(fresh_demo_data), timeout=60, message="l'affaire de Renaldo"
    )

    agent_context = browser.new_context(viewport=VIEWPORTS[viewport], base_url=app.url, locale="fr-FR")
    try:
        close_affaire_as_agent(agent_context.new_page(), reference)
    finally:
        agent_context.close()

    # No reload: the open dashboard picks the notification up by itself.
    expect(page.get_by_role("heading", level=2, name="1 Notification")).to_be_visible(timeout=30_000)
    expect(page.get_by_text(CLOSED_TEXT)).to_be_visible()

    page.get_by_role("link", name="Vos informations").click()
    renaldo = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name="RENALDO"))
    expect(renaldo).to_contain_text("LA BALOISE ASSURANCES")
    expect(renaldo).not_to_contain_text("LES MUTUELLES DE L'AIN 2")
    expect(page.get_by_text("DEMANDE EN COURS")).to_have_count(0)
