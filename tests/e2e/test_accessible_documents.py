"""RGAA 13.3 and 13.4: each PDF the insured can download (the relevé of a non-transmitted
payment, the attestation de droits) has an accessible version, a page linked beside the PDF,
which states everything the PDF states, in the same order; and the page keeps the PDF's rules:
a live session, and the account's own documents only.
"""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader
from sqlmodel import Session, col, select

from rxapp import routes
from rxapp.db import make_engine
from rxapp.models import Account, Beneficiary, InsuredPerson, Payment
from rxapp.services.attestation import ATTESTATION_TITLE
from rxapp.services.payments import STATEMENT_NOT_FOUND, STATEMENT_TITLE
from tests.e2e.helpers import LOGIN_HEADING, assert_accessible, log_in_as, main_texts, record_main_texts

RENALDO, RENALDO_BODY = "1 74 11 71 270 102", "1741171270102"
STATEMENT_PDF_LINK = "Télécharger le relevé (PDF)"
STATEMENT_PAGE_LINK = "Consulter le relevé en version accessible"
ATTESTATION_PAGE_LINK = "Consulter mon attestation de droits en version accessible"
# "/" escaped: Playwright reads the pattern as a /regex/ literal.
DATED = r" du (\d{2}\/\d{2}\/\d{4})$"


def _words(text: str) -> list[str]:
    """The words of a text, without the captions' colons and the dashes between words (the PDF
    prints "Acte :" where the page shows "Acte" as a term of a description list)."""
    return [word for word in re.split(r"[\s:]+", text) if word and word not in {"-", "–"}]


def _not_stated_in_order(pdf: bytes, page_text: str) -> list[str]:
    """The words of the PDF that the page does not say, in the PDF's order (empty: it says all)."""
    pdf_words = _words("\n".join(sheet.extract_text() for sheet in PdfReader(io.BytesIO(pdf)).pages))
    page_words = _words(page_text)
    assert len(pdf_words) > 20, pdf_words  # the PDF's text was extracted
    missing, position = [], 0
    for word in pdf_words:
        try:
            position = page_words.index(word, position) + 1
        except ValueError:
            missing.append(word)
    return missing


def _dismiss_conflict_dialog(page: Page) -> None:
    """Renaldo's overlap opens the conflict dialog on the dashboard: "Plus tard"."""
    dialog = page.get_by_role("dialog", name="Votre complémentaire santé")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Plus tard").click()
    expect(dialog).to_have_count(0)


def _assert_states_what_the_pdf_states(page: Page, pdf_url: str) -> None:
    response = page.request.get(pdf_url)  # the browser's own session cookie
    assert response.status == 200, response.status
    assert response.headers["content-type"] == "application/pdf"
    # The letterhead of the PDF is the page's banner; the rest is in its main content.
    missing = _not_stated_in_order(response.body(), page.locator("body").inner_text())
    assert not missing, f"13.4 : la version accessible ne dit pas « {' '.join(missing)} »"
    expect(page.get_by_role("main").get_by_role("link", name=re.compile(r"\(PDF\)$"))).to_have_attribute(
        "href", pdf_url
    )


def test_each_statement_has_an_accessible_version_stating_what_its_pdf_states(
    page: Page, viewport: str, fresh_demo_data: str
) -> None:
    log_in_as(page, RENALDO, "Renaldo ZOVI")
    _dismiss_conflict_dialog(page)
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Frais de santé"
    ).click()
    expect(page.get_by_role("heading", level=1, name="Vos paiements")).to_be_visible()
    pdf_links = page.get_by_role("link", name=re.compile("^" + re.escape(STATEMENT_PDF_LINK) + DATED))
    page_links = page.get_by_role("link", name=re.compile("^" + STATEMENT_PAGE_LINK + DATED))
    # Renaldo's two non-transmitted payments: each PDF with its accessible version beside it.
    expect(pdf_links).to_have_count(2)
    expect(page_links).to_have_count(2)
    statements = []
    for index in range(2):
        pdf_link = pdf_links.nth(index)
        pdf_url = pdf_link.get_attribute("href") or ""
        day = re.search(r"\d{2}/\d{2}/\d{4}", pdf_link.text_content() or "")
        payment_id = re.fullmatch(rf"{routes.STATEMENT_PREFIX}/(\d+)\.pdf", pdf_url)
        assert day and payment_id, (pdf_link.text_content(), pdf_url)
        # Beside it, named with the same date, the same payment's accessible version.
        page_url = routes.statement_page_url(int(payment_id.group(1)))
        expect(page_links.filter(has_text=day.group(0)).first).to_have_attribute("href", page_url)
        statements.append((pdf_url, page_url, day.group(0)))

    assert statements[0][2] != statements[1][2], statements  # told apart by their dates
    # Every text the main content shows while a page loads, to see that the second relevé's page
    # never shows the first one (the tab's state comes back with it, until the on_load has read
    # the payment the address names).
    record_main_texts(page)
    for pdf_url, page_url, paid_on in statements:
        page.goto(page_url)
        expect(page.get_by_role("heading", level=1, name=STATEMENT_TITLE)).to_be_visible()
        expect(page).to_have_title(re.compile(f"^{STATEMENT_TITLE} \\(version accessible\\)"))
        expect(page.get_by_role("main")).to_contain_text(paid_on)
        _assert_states_what_the_pdf_states(page, pdf_url)
    first_paid_on = statements[0][2]
    stale = [text for text in main_texts(page) if first_paid_on in text]
    assert not stale, f"le relevé du {first_paid_on} s'est affiché à l'adresse de l'autre ({len(stale)} fois)"
    assert_accessible(page)


def test_the_attestation_has_an_accessible_version_stating_what_its_pdf_states(
    page: Page, viewport: str
) -> None:
    log_in_as(page, RENALDO, "Renaldo ZOVI")
    page.goto(routes.RIGHTS_ATTESTATION)
    expect(page.get_by_role("heading", level=1, name="Attestation de droits")).to_be_visible()
    expect(page.get_by_role("link", name="Télécharger mon attestation de droits (PDF)")).to_be_visible()
    page.get_by_role("link", name=ATTESTATION_PAGE_LINK).click()
    expect(page.get_by_role("heading", level=1, name=ATTESTATION_TITLE)).to_be_visible()
    expect(page).to_have_title(re.compile(f"^{ATTESTATION_TITLE} \\(version accessible\\)"))
    expect(page.get_by_role("heading", level=2, name="Bénéficiaires")).to_be_visible()
    expect(page.get_by_role("main").get_by_role("listitem")).to_have_count(4)
    _assert_states_what_the_pdf_states(page, routes.ATTESTATION_PDF)
    assert_accessible(page)


def _someone_elses_statement(database_url: str) -> tuple[int, str, int]:
    """Another insured's non-transmitted payment (its id and beneficiary's first name), and one
    of Renaldo's transmitted payments (which has no statement)."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            renaldo = session.exec(
                select(Account.id).join(InsuredPerson).where(InsuredPerson.nir == RENALDO_BODY)
            ).one()
            other, first_name = session.exec(
                select(Payment.id, Beneficiary.first_name)
                .join(Beneficiary, col(Beneficiary.id) == col(Payment.beneficiary_id))
                .where(Payment.account_id != renaldo, col(Payment.transmitted_to_oc).is_(False))
            ).first()
            transmitted = session.exec(
                select(Payment.id).where(
                    Payment.account_id == renaldo, col(Payment.transmitted_to_oc).is_(True)
                )
            ).first()
    finally:
        engine.dispose()
    return int(other), first_name.upper(), int(transmitted)


@pytest.mark.viewports("desktop")  # a rule the server applies: the same at every size
def test_accessible_versions_need_a_session_and_show_the_accounts_own_only(
    page: Page, viewport: str, fresh_demo_data: str
) -> None:
    other, other_name, transmitted = _someone_elses_statement(fresh_demo_data)
    for address in (routes.statement_page_url(other), routes.ATTESTATION_PAGE):
        page.goto(address)
        expect(page.get_by_role("heading", level=1, name=LOGIN_HEADING)).to_be_visible()

    log_in_as(page, RENALDO, "Renaldo ZOVI")
    for address in (
        routes.statement_page_url(other),
        routes.statement_page_url(transmitted),
        f"{routes.STATEMENT_PAGE}?{routes.STATEMENT_PARAMETER}=abc",
        f"{routes.STATEMENT_PAGE}?{routes.STATEMENT_PARAMETER}=99999999999",
        routes.STATEMENT_PAGE,
    ):
        page.goto(address)
        expect(page.get_by_role("heading", level=1, name=STATEMENT_TITLE)).to_be_visible()
        expect(page.get_by_role("alert")).to_contain_text(STATEMENT_NOT_FOUND)
        main = page.get_by_role("main")
        expect(main.get_by_text("Montant remboursé")).to_have_count(0)
        expect(main.get_by_text(other_name)).to_have_count(0)
    # The PDF route answers the same for the same payment.
    assert page.request.get(routes.statement_url(other)).status == 404
