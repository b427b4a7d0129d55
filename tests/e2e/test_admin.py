"""Medialog+ in the browser: agent login, queue, one affaire from new to closed,
CPAM isolation, supervision chart, NOEMIE simulation, insured sessions kept out."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func
from sqlmodel import Session, select

from rxapp import routes
from rxapp.db import make_engine
from rxapp.models import (
    Account,
    Agent,
    Beneficiary,
    ComplementaryContract,
    InsuredPerson,
    OverlapRequest,
    OverlapRequestLine,
    utcnow,
)
from rxapp.services import medialog, teleservice
from rxapp.services.auth import BAD_AGENT_CREDENTIALS
from rxapp.services.demo import AGENT_PASSWORD
from rxapp.state.auth import AGENT_SESSION_COOKIE, SESSION_COOKIE
from tests.e2e.helpers import (
    assert_accessible,
    assert_no_horizontal_scroll,
    assert_touch_targets,
    log_in_as,
    main_texts,
    record_main_texts,
)

RENALDO_BODY = "1741171270102"
KARIM_BODY = "1790675112034"
JULIE = "2 95 07 01 053 089 53"
LOGIN_HEADING = "Espace agents Medialog+"
SIMULATED = (
    "Contrat ajouté. Le prochain passage de la détection bloquera la transmission et l'assuré "
    "verra la fenêtre à sa prochaine connexion."
)


@dataclass(frozen=True)
class Affaires:
    renaldo: str
    karim: str


def _account_id(session: Session, nir_body: str) -> int:
    return session.exec(select(Account.id).join(InsuredPerson).where(InsuredPerson.nir == nir_body)).one()


def _renaldo_affaire(session: Session) -> medialog.AffaireCreated:
    """Renaldo chooses the first option for everyone, through the teleservice's own rules."""
    account_id = _account_id(session, RENALDO_BODY)
    situation = teleservice.overlap_situation(session=session, account_id=account_id)
    choices = {str(b.beneficiary_id): str(b.options[0].contract_id) for b in situation.beneficiaries}
    request = teleservice.submit_request(session=session, account_id=account_id, choices=choices)
    return medialog.create_affaire_for_request(session=session, request_id=request.request_id)


def _karim_affaire(session: Session) -> medialog.AffaireCreated:
    """A Paris affaire: Karim is not eligible online (5 people), so his request is built by hand."""
    account_id = _account_id(session, KARIM_BODY)
    insured_id = session.exec(select(Account.insured_id).where(Account.id == account_id)).one()
    now = utcnow()
    request = OverlapRequest(account_id=account_id, created_at=now, reference=teleservice.new_reference(now))
    session.add(request)
    session.flush()
    for beneficiary in session.exec(select(Beneficiary).where(Beneficiary.insured_id == insured_id)).all():
        contracts = session.exec(
            select(ComplementaryContract)
            .where(ComplementaryContract.beneficiary_id == beneficiary.id)
            .order_by(ComplementaryContract.id)
        ).all()
        if len(contracts) >= 2:
            session.add(
                OverlapRequestLine(
                    request_id=request.id,
                    beneficiary_id=beneficiary.id,
                    chosen_contract_id=contracts[0].id,
                    rejected_contract_id=contracts[1].id,
                )
            )
    session.flush()
    return medialog.create_affaire_for_request(session=session, request_id=request.id)


def _create_affaires(database_url: str, *, close_renaldos: bool = False) -> Affaires:
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            renaldo, karim = _renaldo_affaire(session), _karim_affaire(session)
            assert not renaldo.is_complex and not karim.is_complex
            if close_renaldos:
                agent_id = session.exec(select(Agent.id).where(Agent.login == "agent.ain")).one()
                for action in (medialog.take_charge, medialog.update_progres, medialog.close_affaire):
                    action(session=session, agent_id=agent_id, affaire_id=renaldo.affaire_id)
            session.commit()
            return Affaires(renaldo.reference, karim.reference)
    finally:
        engine.dispose()


def _contracts_of(database_url: str, nir_body: str) -> int:
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            return session.exec(
                select(func.count())
                .select_from(ComplementaryContract)
                .join(Beneficiary, Beneficiary.id == ComplementaryContract.beneficiary_id)
                .join(InsuredPerson, InsuredPerson.id == Beneficiary.insured_id)
                .where(InsuredPerson.nir == nir_body)
            ).one()
    finally:
        engine.dispose()


def _log_in_agent(page: Page, login: str, password: str = AGENT_PASSWORD) -> None:
    if not re.search(r"/admin/?$", page.url):
        page.goto(routes.ADMIN_LOGIN)
    expect(page.get_by_role("heading", level=1, name=LOGIN_HEADING)).to_be_visible()
    page.get_by_label("Identifiant").fill(login)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


def _queue(page: Page):
    return page.get_by_role("region", name=re.compile("^Affaires de la file"))


def test_wrong_agent_password_shows_the_alert(page: Page, viewport: str) -> None:
    _log_in_agent(page, "agent.ain", "PasLeBon1!")
    expect(page.get_by_role("alert")).to_have_text(BAD_AGENT_CREDENTIALS)
    expect(page).to_have_url(re.compile(r"/admin/?$"))
    expect(page.get_by_role("button", name="Se connecter")).to_have_css("min-height", "44px")
    assert_no_horizontal_scroll(page)
    if viewport == "phone":
        assert_touch_targets(page)
    assert_accessible(page)


def test_agent_processes_an_affaire_from_new_to_closed(
    page: Page, viewport: str, fresh_demo_data: str
) -> None:
    affaires = _create_affaires(fresh_demo_data)
    _log_in_agent(page, "agent.ain")
    expect(page.get_by_role("heading", level=1, name="File des affaires")).to_be_visible()
    header = page.get_by_role("banner")
    expect(header).to_contain_text("Agnès Morel")
    expect(header).to_contain_text("CPAM de l'Ain")
    nav = page.get_by_role("navigation", name="Navigation Medialog+")
    for name in ("File des affaires", "Supervision", "Simulation"):
        expect(nav.get_by_role("link", name=name)).to_be_visible()

    page.get_by_label("Statut").select_option("nouvelle")
    expect(page.get_by_role("status").filter(has_text="1 affaire")).to_be_visible()
    table = _queue(page)
    row = table.get_by_role("row").filter(has_text=affaires.renaldo)
    expect(row).to_contain_text("RENALDO ZOVI")
    expect(row).to_contain_text("Nouvelle")
    expect(row).to_contain_text("Non")
    expect(table).not_to_contain_text(affaires.karim)  # Paris's affaire
    expect(page.get_by_text("Page 1 sur 1", exact=True)).to_be_visible()
    # Controlled by the server: the box shows checked once the filter is applied.
    complex_only = page.get_by_label("Cas complexes uniquement")
    complex_only.click()
    expect(complex_only).to_be_checked()
    expect(page.get_by_role("status").filter(has_text="Aucune affaire.")).to_be_visible()
    complex_only.click()
    expect(complex_only).not_to_be_checked()
    expect(_queue(page)).to_be_visible()
    assert_no_horizontal_scroll(page)
    if viewport == "phone":
        assert_touch_targets(page)
    assert_accessible(page)

    _queue(page).get_by_role("link", name=affaires.renaldo).click()
    expect(page.get_by_role("heading", level=1, name=affaires.renaldo)).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("1 74 11 71 270 102")
    renaldo = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name="RENALDO ZOVI"))
    expect(renaldo).to_contain_text("Né(e) le : 22/11/1974")
    chosen = renaldo.get_by_text("Organisme choisi").locator("..")
    expect(chosen).to_contain_text("LES MUTUELLES DE L'AIN 2")
    expect(chosen).to_contain_text("N° adhérent : 4789563P")
    expect(chosen).to_contain_text("Contrat du 01/07/2018")
    rejected = renaldo.get_by_text("Organisme écarté").locator("..")
    expect(rejected).to_contain_text("LA BALOISE ASSURANCES")
    expect(page.get_by_role("heading", level=3)).to_have_count(3)  # Renaldo, Serena, Batiste
    expect(page.get_by_label("Motif du transfert")).to_have_attribute("required", "")
    assert_no_horizontal_scroll(page)
    if viewport == "phone":
        assert_touch_targets(page)
    assert_accessible(page)

    page.get_by_role("button", name="Clôturer l'affaire").click()
    expect(page.get_by_role("alert")).to_have_text(medialog.UPDATE_FIRST)
    facts = page.get_by_role("definition")
    page.get_by_role("button", name="Prendre en charge").click()
    expect(facts.filter(has_text=re.compile("^En cours$"))).to_be_visible()
    expect(facts.filter(has_text=re.compile("^Agnès Morel$"))).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)
    page.get_by_role("button", name="Mettre à jour Progrès").click()
    expect(page.get_by_role("status").filter(has_text="Progrès est à jour")).to_be_visible()
    page.get_by_role("button", name="Clôturer l'affaire").click()
    expect(facts.filter(has_text=re.compile("^Clôturée$"))).to_be_visible()
    history = page.get_by_role("region", name=re.compile("^Historique de l'affaire"))
    for action in (
        "Création de l'affaire",
        "Prise en charge",
        "Mise à jour de Progrès",
        "Clôture de l'affaire",
    ):
        expect(history.get_by_role("row").filter(has_text=action).first).to_be_visible()
    expect(history.get_by_role("row").filter(has_text="Prise en charge")).to_contain_text("Agnès Morel")
    page.get_by_role("button", name="Prendre en charge").click()
    expect(page.get_by_role("alert")).to_contain_text("Cette affaire est clôturée")
    assert_accessible(page)

    # Paris's affaire, by its URL pasted in another tab: refused, nothing shown.
    tab = page.context.new_page()
    tab.goto(routes.admin_affaire_url(affaires.karim))
    expect(tab.get_by_role("alert")).to_have_text(medialog.NOT_YOURS)
    expect(tab.get_by_text("KARIM BENALI")).to_have_count(0)
    expect(tab.get_by_text("Organisme choisi")).to_have_count(0)
    expect(tab.get_by_role("button", name="Prendre en charge")).to_have_count(0)
    tab.close()

    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("heading", level=1, name=LOGIN_HEADING)).to_be_visible()
    # The session is revoked and the cookie gone: the affaire's URL leads to the login.
    tab = page.context.new_page()
    tab.goto(routes.admin_affaire_url(affaires.renaldo))
    expect(tab.get_by_role("heading", level=1, name=LOGIN_HEADING)).to_be_visible()
    tab.close()


@pytest.mark.viewports("desktop")
def test_an_affaire_opened_after_another_never_shows_the_first(
    page: Page, viewport: str, fresh_demo_data: str
) -> None:
    """The tab's state comes back with the affaire it showed last; until the page has read the
    one its address names, it shows neither (an agent could act on what they did not mean to)."""
    affaires = _create_affaires(fresh_demo_data)
    _log_in_agent(page, "agent.ain")
    expect(_queue(page).get_by_role("link", name=affaires.renaldo)).to_be_visible()
    page.goto(routes.admin_affaire_url(affaires.renaldo))
    expect(page.get_by_role("heading", level=1, name=affaires.renaldo)).to_be_visible()
    record_main_texts(page)
    page.goto(routes.admin_affaire_url(affaires.karim))  # Paris's: refused to the Ain
    expect(page.get_by_role("alert")).to_have_text(medialog.NOT_YOURS)
    stale = [text for text in main_texts(page) if affaires.renaldo in text or "RENALDO" in text]
    assert not stale, (
        f"l'affaire {affaires.renaldo} s'est affichée à l'adresse d'une autre ({len(stale)} fois)"
    )


@pytest.mark.viewports("desktop")  # a rule the server applies: the same at every size
def test_paris_agent_sees_only_paris(page: Page, viewport: str, fresh_demo_data: str) -> None:
    affaires = _create_affaires(fresh_demo_data)
    _log_in_agent(page, "agent.paris")
    table = _queue(page)
    expect(table.get_by_role("link", name=affaires.karim)).to_be_visible()
    expect(table).not_to_contain_text(affaires.renaldo)
    page.goto(routes.admin_affaire_url(affaires.renaldo))
    expect(page.get_by_role("alert")).to_have_text(medialog.NOT_YOURS)
    expect(page.get_by_text("RENALDO ZOVI")).to_have_count(0)


def test_transfer_to_digne_hands_the_affaire_over(page: Page, viewport: str, fresh_demo_data: str) -> None:
    affaires = _create_affaires(fresh_demo_data)
    _log_in_agent(page, "agent.ain")
    _queue(page).get_by_role("link", name=affaires.renaldo).click()
    expect(page).to_have_title(f"Affaire {affaires.renaldo} | Medialog+")
    page.get_by_label("Motif du transfert").fill("Numéro d'adhérent à vérifier avec l'organisme.")
    page.get_by_role("button", name="Transférer à la CPAM de Digne").click()
    expect(page.get_by_role("status").filter(has_text="transférée")).to_contain_text("CPAM de Digne")
    expect(page.get_by_text("Organisme choisi")).to_have_count(0)
    page.get_by_role("link", name="Retour à la file des affaires").click()
    expect(page.get_by_role("status").filter(has_text="Aucune affaire.")).to_be_visible()

    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("heading", level=1, name=LOGIN_HEADING)).to_be_visible()
    _log_in_agent(page, "agent.digne")
    page.get_by_label("Cas complexes uniquement").click()
    row = _queue(page).get_by_role("row").filter(has_text=affaires.renaldo)
    expect(row).to_contain_text("Oui")
    row.get_by_role("link", name=affaires.renaldo).click()
    history = page.get_by_role("region", name=re.compile("^Historique de l'affaire"))
    expect(history.get_by_role("row").filter(has_text="Transfert à la CPAM de Digne")).to_contain_text(
        "Numéro d'adhérent à vérifier"
    )
    page.get_by_role("button", name="Prendre en charge").click()
    expect(page.get_by_role("definition").filter(has_text=re.compile("^Didier Blanc$"))).to_be_visible()


@pytest.mark.viewports("desktop")  # a rule the server applies: the same at every size
def test_an_insured_session_never_opens_the_admin_pages(page: Page, viewport: str) -> None:
    log_in_as(page, JULIE, "Julie PETIT")
    for route in (
        routes.ADMIN_QUEUE,
        routes.ADMIN_SUPERVISION,
        routes.admin_affaire_url("AFF-2026-ABCDEFGH"),
    ):
        # A tab per page: quick reloads of one tab can race its websocket reconnection
        # (reflex#5219), which is not what this test is about. The tabs share the cookies.
        tab = page.context.new_page()
        tab.goto(route)
        expect(tab.get_by_role("heading", level=1, name=LOGIN_HEADING)).to_be_visible()
        expect(tab).to_have_url(re.compile(r"/admin/?$"))
        tab.close()
    cookies = {cookie["name"] for cookie in page.context.cookies()}
    assert SESSION_COOKIE in cookies
    assert AGENT_SESSION_COOKIE not in cookies


def test_supervision_chart_has_a_text_alternative(page: Page, viewport: str, fresh_demo_data: str) -> None:
    affaires = _create_affaires(fresh_demo_data, close_renaldos=True)
    _log_in_agent(page, "agent.ain")
    expect(page.get_by_role("heading", level=1, name="File des affaires")).to_be_visible()
    page.get_by_role("navigation", name="Navigation Medialog+").get_by_role(
        "link", name="Supervision"
    ).click()
    expect(page.get_by_role("heading", level=1, name="Supervision")).to_be_visible()
    figure = page.get_by_role(
        "figure", name="Délai de traitement des affaires clôturées (objectif : 7 jours)"
    )
    expect(figure).to_be_visible()
    expect(figure.locator("svg").first).to_be_visible()
    alternative = figure.get_by_role("table", name="Nombre d'affaires clôturées par délai de traitement")
    expect(alternative.get_by_role("row").filter(has_text="≤ 1 j").get_by_role("cell")).to_have_text("1")
    expect(alternative.get_by_role("row").filter(has_text="> 7 j").get_by_role("cell")).to_have_text("0")
    expect(page.get_by_text("1 affaire clôturée sur 1 dans le délai de 7 jours")).to_be_visible()
    expect(page.get_by_text("Aucune réponse")).to_be_visible()
    expect(page.get_by_text("Aucune affaire en retard.")).to_be_visible()
    assert affaires.renaldo
    assert_no_horizontal_scroll(page)
    assert_accessible(page)


def test_simulating_a_noemie_flow_adds_a_contract(page: Page, viewport: str, fresh_demo_data: str) -> None:
    before = _contracts_of(fresh_demo_data, "2950701053089")
    _log_in_agent(page, "agent.ain")
    expect(page.get_by_role("heading", level=1, name="File des affaires")).to_be_visible()
    page.get_by_role("navigation", name="Navigation Medialog+").get_by_role("link", name="Simulation").click()
    expect(page.get_by_role("heading", level=1, name="Simulation")).to_be_visible()
    page.get_by_label("NIR de l'assuré").fill(JULIE)
    page.get_by_label("Prénom du bénéficiaire").fill("Julie")
    page.get_by_label("Organisme complémentaire").select_option(label="HARMONIE MUTUELLE")
    page.get_by_label("N° adhérent").fill("HM7700123")
    page.get_by_role("button", name="Simuler un flux NOEMIE").click()
    expect(page.get_by_role("status").filter(has_text="Contrat ajouté.")).to_have_text(SIMULATED)
    assert _contracts_of(fresh_demo_data, "2950701053089") == before + 1
    assert_no_horizontal_scroll(page)
    assert_accessible(page)

    page.get_by_label("NIR de l'assuré").fill("1 79 06 75 112 034")  # Karim, of Paris
    page.get_by_label("Prénom du bénéficiaire").fill("Karim")
    page.get_by_role("button", name="Simuler un flux NOEMIE").click()
    expect(page.get_by_role("alert")).to_have_text("Bénéficiaire ou organisme inconnu pour votre CPAM.")
