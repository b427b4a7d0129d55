"""FranceConnect in the browser, against the local provider that `serve` starts."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, col, select

from rxapp import routes
from rxapp.db import make_engine
from rxapp.models import Account, InsuredPerson, Payment
from rxapp.services.franceconnect import REFUSALS
from tests.e2e.helpers import LOGIN_HEADING, assert_accessible, assert_no_horizontal_scroll

BUTTON = "S'identifier avec FranceConnect"
RENALDO = "Renaldo ZOVI, né(e) le 22/11/1974 (lieu de naissance 71270)"
PROVIDER_HEADING = "FranceConnect (fournisseur local de démonstration)"


def go_to_franceconnect(page: Page) -> None:
    """From the login page, click the FranceConnect button and wait for the identity choice."""
    page.goto("/")
    expect(page.get_by_role("heading", level=1, name=LOGIN_HEADING)).to_be_visible()
    expect(page.get_by_role("link", name="Qu'est-ce que FranceConnect ?")).to_be_visible()
    page.get_by_role("link", name=BUTTON).click()
    expect(page.get_by_role("heading", level=1, name=PROVIDER_HEADING)).to_be_visible()


def _a_statement_of(database_url: str, nir: str) -> str:
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            payment_id = session.exec(
                select(Payment.id)
                .join(Account, col(Account.id) == col(Payment.account_id))
                .join(InsuredPerson, col(InsuredPerson.id) == col(Account.insured_id))
                .where(InsuredPerson.nir == nir, Payment.transmitted_to_oc == False)  # noqa: E712
            ).first()
    finally:
        engine.dispose()
    assert payment_id is not None
    return routes.statement_url(payment_id)


def test_renaldo_signs_in_with_franceconnect_then_out_of_both(
    page: Page, viewport: str, app_database_url: str
) -> None:
    go_to_franceconnect(page)
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    page.get_by_role("button", name=RENALDO, exact=True).click()

    expect(page.get_by_text("Bonjour Renaldo ZOVI", exact=True)).to_be_visible()
    expect(page).to_have_url(re.compile("/tableau-de-bord/?$"))
    expect(page.get_by_role("dialog")).to_be_visible()  # his overlap is unresolved
    page.get_by_role("button", name="Plus tard").click()
    # The provider is another site (localhost, the app 127.0.0.1): the session cookie, set
    # SameSite=Strict on the return from it, still goes with the page's own requests.
    fetch_status = "url => fetch(url).then(response => response.status)"
    assert page.evaluate(fetch_status, _a_statement_of(app_database_url, "1741171270102")) == 200

    page.get_by_role("button", name="Se déconnecter").click()
    # Through FranceConnect's end_session, back to the login page.
    expect(page.get_by_role("heading", level=1, name=LOGIN_HEADING)).to_be_visible()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("alert")).to_have_count(0)

    # Signing in with FranceConnect again asks for the identity again.
    page.get_by_role("link", name=BUTTON).click()
    expect(page.get_by_role("heading", level=1, name=PROVIDER_HEADING)).to_be_visible()
    expect(page.get_by_role("button", name=RENALDO, exact=True)).to_be_visible()


@pytest.mark.viewports("desktop")  # a rule the server applies: the same at every size
def test_an_identity_without_account_and_a_cancel_are_refused_in_french(page: Page, viewport: str) -> None:
    go_to_franceconnect(page)
    page.get_by_role("button", name=re.compile("^Camille Anne DUBOIS")).click()
    expect(page.get_by_role("heading", level=1, name=LOGIN_HEADING)).to_be_visible()
    expect(page.get_by_role("alert")).to_have_text(REFUSALS["identity"])
    assert_accessible(page)

    go_to_franceconnect(page)
    page.get_by_role("button", name="Annuler et revenir au service").click()
    expect(page.get_by_role("alert")).to_have_text(REFUSALS["access_denied"])
    expect(page.get_by_label("Numéro de sécurité sociale")).to_be_visible()
