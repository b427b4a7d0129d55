"""The insured's journey: dialog, banner, two-step selection, recap, confirmation."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func
from sqlmodel import Session, select

from rxapp import routes
from rxapp.db import make_engine
from rxapp.models import Message, OverlapRequest, OverlapRequestLine, SatisfactionAnswer
from rxapp.services.teleservice import ACKNOWLEDGEMENT_SUBJECT
from tests.e2e.helpers import assert_accessible, assert_no_horizontal_scroll, log_in_as, log_out

TITLE = "Choisir l'organisme complémentaire destinataire de vos remboursements"
BLOCKED = "La transmission automatique des remboursements vers votre complémentaire est bloquée."
RENALDO, LUCIE = "1 74 11 71 270 102", "2 85 12 01 053 118 12"


def _count(database_url: str, model) -> int:
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            return session.exec(select(func.count()).select_from(model)).one()
    finally:
        engine.dispose()


def _choose(page: Page, person: str, organisation: str) -> None:
    page.get_by_role("group", name=f"Nom : {person}").get_by_role("radio", name=organisation).check()


def test_lucie_resolves_her_overlap_end_to_end(page: Page, viewport: str, fresh_demo_data: str) -> None:
    log_in_as(page, LUCIE, "Lucie MICHEL")
    dialog = page.get_by_role("dialog", name="Votre complémentaire santé")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(BLOCKED)
    assert_accessible(page)
    dialog.get_by_role("button", name="Sélectionner").click()

    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    expect(page.get_by_text("Étape 1 sur 2")).to_be_visible()
    group = page.get_by_role("group", name="Nom : LUCIE MICHEL")
    expect(group).to_contain_text("Né(e) le : 04/12/1985")
    for radio in group.get_by_role("radio").all():
        expect(radio).not_to_be_checked()
    expect(group).to_contain_text("MGEN SOLUTIONS")
    expect(group).to_contain_text("N° adhérent* : 4338849")
    expect(group).to_contain_text("Contrat du 01/10/2021")
    expect(page.get_by_text("L'autre organisme complémentaire ne sera plus visible")).to_be_visible()
    assert_no_horizontal_scroll(page)
    assert_accessible(page)

    _choose(page, "LUCIE MICHEL", "MGEN SOLUTIONS")
    page.get_by_role("button", name="Passer à l'étape suivante").click()
    expect(page.get_by_text("Étape 2 sur 2")).to_be_visible()
    expect(page.get_by_text("Confirmez votre choix de complémentaire :")).to_be_visible()
    assert_no_horizontal_scroll(page)
    recap = page.get_by_role("listitem").filter(has_text="LUCIE MICHEL")
    expect(recap).to_contain_text("MGEN SOLUTIONS")
    expect(recap).to_contain_text("Contrat du 01/01/2025")
    assert_accessible(page)
    page.get_by_role("button", name="Confirmer").click()

    expect(page.get_by_role("heading", level=1, name="Votre choix a bien été transmis.")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Référence de votre demande : DEM-\d{4}-"))).to_be_visible()
    expect(page.get_by_role("link", name="Vos paiements")).to_be_visible()
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    page.get_by_role("button", name="Non").click()
    expect(page.get_by_text("Merci pour votre réponse.")).to_be_visible()
    assert _count(fresh_demo_data, SatisfactionAnswer) == 1

    page.get_by_role("link", name="Retourner au tableau de bord").click()
    expect(page.get_by_role("heading", name="Bonjour Lucie MICHEL")).to_be_visible()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.get_by_role("link", name="Je sélectionne ma complémentaire")).to_have_count(0)
    expect(page.get_by_text(ACKNOWLEDGEMENT_SUBJECT)).to_be_visible()

    page.get_by_role("link", name="Vos informations").click()
    expect(page.get_by_text("DEMANDE EN COURS")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Demande faite le \d{2}/\d{2}/\d{4}"))).to_be_visible()
    expect(page.get_by_text("Votre choix de complémentaire sera traité sous 7 jours")).to_be_visible()
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    assert _count(fresh_demo_data, OverlapRequest) == 1
    assert _count(fresh_demo_data, Message) > 0


def test_renaldo_missing_choices_then_back_from_recap(
    page: Page, viewport: str, fresh_demo_data: str
) -> None:
    log_in_as(page, RENALDO, "Renaldo ZOVI")
    page.get_by_role("dialog").get_by_role("button", name="Plus tard").click()
    page.get_by_role("link", name="Je sélectionne ma complémentaire").click()
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()

    _choose(page, "RENALDO ZOVI", "LA BALOISE ASSURANCES")
    page.get_by_role("button", name="Passer à l'étape suivante").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Sélectionnez un organisme pour SERENA ZOVI")
    expect(alert).to_contain_text("Sélectionnez un organisme pour BATISTE ZOVI")
    expect(alert).not_to_contain_text("RENALDO ZOVI")
    expect(alert).to_be_focused()
    expect(page).to_have_title(re.compile("^Erreur : "))
    assert_accessible(page)

    _choose(page, "SERENA ZOVI", "LES MUTUELLES DE L'AIN 2")
    _choose(page, "BATISTE ZOVI", "LA BALOISE ASSURANCES")
    expect(page.get_by_role("alert")).to_have_count(0)
    page.get_by_role("button", name="Passer à l'étape suivante").click()
    expect(page.get_by_text("Confirmez votre choix de complémentaire :")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="SERENA ZOVI")).to_contain_text(
        "LES MUTUELLES DE L'AIN 2"
    )

    page.get_by_role("link", name="Retourner à l'étape précédente").click()
    expect(page.get_by_text("Étape 1 sur 2")).to_be_visible()
    group = page.get_by_role("group", name="Nom : RENALDO ZOVI")
    expect(group.get_by_role("radio", name="LA BALOISE ASSURANCES")).to_be_checked()
    _choose(page, "RENALDO ZOVI", "LES MUTUELLES DE L'AIN 2")
    page.get_by_role("button", name="Passer à l'étape suivante").click()
    expect(page.get_by_role("listitem").filter(has_text="RENALDO ZOVI")).to_contain_text(
        "LES MUTUELLES DE L'AIN 2"
    )

    # The help screen keeps the choices.
    page.get_by_role("link", name="Aide").click()
    expect(page.get_by_role("heading", level=1, name=re.compile("Aide"))).to_be_visible()
    page.get_by_role("link", name="Retourner à la démarche").click()
    expect(group.get_by_role("radio", name="LES MUTUELLES DE L'AIN 2")).to_be_checked()
    page.get_by_role("button", name="Passer à l'étape suivante").click()

    page.get_by_role("button", name="Confirmer").dblclick()
    expect(page.get_by_role("heading", level=1, name="Votre choix a bien été transmis.")).to_be_visible()
    assert _count(fresh_demo_data, OverlapRequest) == 1
    assert _count(fresh_demo_data, OverlapRequestLine) == 3


def test_later_hides_the_dialog_until_the_next_login(page: Page, viewport: str, fresh_demo_data: str) -> None:
    log_in_as(page, RENALDO, "Renaldo ZOVI")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")  # Esc acts as "Plus tard"
    expect(dialog).to_be_hidden()
    page.reload()
    expect(page.get_by_role("heading", name="Bonjour Renaldo ZOVI")).to_be_visible()
    expect(page.get_by_role("link", name="Je sélectionne ma complémentaire")).to_be_visible()
    expect(page.get_by_role("dialog")).to_have_count(0)

    page.get_by_role("button", name="Fermer l'encadré").click()
    expect(page.get_by_role("link", name="Je sélectionne ma complémentaire")).to_have_count(0)
    page.reload()
    expect(page.get_by_role("heading", name="Bonjour Renaldo ZOVI")).to_be_visible()
    expect(page.get_by_role("link", name="Je sélectionne ma complémentaire")).to_have_count(0)

    log_out(page)
    log_in_as(page, RENALDO, "Renaldo ZOVI")
    expect(page.get_by_role("dialog")).to_be_visible()
    # The open modal hides the page from assistive technologies: find the banner by text.
    expect(page.get_by_text("Je sélectionne ma complémentaire")).to_be_visible()


def test_dialog_keeps_focus_inside(page: Page, viewport: str) -> None:
    log_in_as(page, "2 68 03 01 283 047 80", "Chantal LABONDE")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    for _ in range(6):
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.closest('[role=dialog]') !== null")
    assert dialog.get_attribute("aria-modal") == "true"


def _tab_to(page: Page, locator, limit: int = 60) -> None:
    for _ in range(limit):
        if locator.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Impossible d'atteindre {locator} au clavier")


def test_keyboard_only_journey(page: Page, viewport: str, fresh_demo_data: str) -> None:
    page.goto("/")
    _tab_to(page, page.get_by_label("Numéro de sécurité sociale"))
    page.keyboard.type("2 68 03 01 283 047 80")
    _tab_to(page, page.get_by_label("Code", exact=True))
    page.keyboard.type("Demo2026!")
    # Enter sends the form once the page is connected: before, the button is disabled, so that
    # the browser never sends the code itself.
    expect(page.get_by_role("button", name="Me connecter")).to_be_enabled()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    _tab_to(page, dialog.get_by_role("button", name="Sélectionner"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()

    _tab_to(page, page.get_by_role("button", name="Passer à l'étape suivante"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_be_focused()
    first = page.get_by_role("radio", name="HARMONIE MUTUELLE")
    _tab_to(page, first)
    page.keyboard.press("ArrowDown")  # arrows move within the radio group
    expect(page.get_by_role("radio", name="AESIO MUTUELLE")).to_be_checked()
    _tab_to(page, page.get_by_role("button", name="Passer à l'étape suivante"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Confirmez votre choix de complémentaire :")).to_be_visible()
    _tab_to(page, page.get_by_role("button", name="Confirmer"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="Votre choix a bien été transmis.")).to_be_visible()
    _tab_to(page, page.get_by_role("button", name="Oui"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Merci pour votre réponse.")).to_be_visible()


@pytest.mark.viewports("desktop")  # a rule the server applies: the same at every size
def test_a_pending_request_locks_the_service_for_seven_days(
    page: Page, viewport: str, fresh_demo_data: str
) -> None:
    log_in_as(page, LUCIE, "Lucie MICHEL")
    page.get_by_role("dialog").get_by_role("button", name="Sélectionner").click()
    _choose(page, "LUCIE MICHEL", "MUTUELLE PREVIFRANCE")
    page.get_by_role("button", name="Passer à l'étape suivante").click()
    page.get_by_role("button", name="Confirmer").click()
    expect(page.get_by_role("heading", level=1, name="Votre choix a bien été transmis.")).to_be_visible()

    reference = page.get_by_text(re.compile(r"Référence de votre demande : DEM-\d{4}-"))
    expect(reference).to_be_visible()
    recorded = reference.inner_text()
    page.goto("/complementaire/selection")
    expect(
        page.get_by_text("Vous ne pourrez pas réitérer la démarche avant un délai de 7 jours")
    ).to_be_visible()
    expect(page.get_by_role("radio")).to_have_count(0)
    # The recap of a recorded choice (back button, reload, reconnection) shows its confirmation.
    page.goto("/complementaire/recapitulatif")
    expect(page.get_by_role("heading", level=1, name="Votre choix a bien été transmis.")).to_be_visible()
    expect(page.get_by_text(recorded)).to_be_visible()
    log_out(page)
    log_in_as(page, LUCIE, "Lucie MICHEL")
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.get_by_text("Votre demande est en cours de traitement.")).to_be_visible()
    assert _count(fresh_demo_data, OverlapRequest) == 1


@pytest.mark.viewports("phone")
def test_the_confirmation_is_painted_before_it_is_connected_and_claims_nothing_until_then(
    page: Page, viewport: str
) -> None:
    """Its fixed text is in the prerendered page, so it is painted at once on a slow phone; the
    heading that says the choix was transmitted waits for the on_load to have found the request
    (without one, the on_load sends the visitor to the dashboard)."""
    page.route_web_socket(re.compile(r"/_event"), lambda socket: None)  # a server that never answers
    page.goto(routes.CONFIRMATION)
    expect(page.get_by_role("heading", level=2, name="Et ensuite ?")).to_be_visible()
    expect(page.get_by_text("Votre choix sera traité sous 7 jours.")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Référence de votre demande")).to_have_count(1)
    expect(page.get_by_role("heading", name="Votre choix a bien été transmis.")).to_have_count(0)
    expect(page.get_by_text("Référence de votre demande")).to_be_hidden()
