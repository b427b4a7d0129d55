"""RGAA 4.1: the automated checks of the audit grid (rxapp/services/accessibility/rgaa_4_1.toml),
on every page of its sample, at the three viewports.

Each test visits its pages once and runs every check there (tests/e2e/rgaa_checks.py); a
failure names the criterion. The grid cites these tests as the evidence of its "conforme"
entries; the session expiry warning (13.1) is proven in tests/integration/test_session_expiry.py,
with an app of its own whose idle timeout is short.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from rxapp import routes
from rxapp.components.layout import footer_links
from rxapp.pages.legal import SITE_MAP_SECTIONS
from rxapp.services.accessibility.grid import load_audit
from rxapp.services.formatting import format_rate
from tests.e2e.helpers import LOGIN_HEADING, log_in_as
from tests.e2e.rgaa_checks import PageAudit, audit_page, report
from tests.e2e.test_admin import _create_affaires, _log_in_agent
from tests.support.rgaa_sample import AGENT_SAMPLE_PAGES, INSURED_SAMPLE_PAGES

RENALDO = "1 74 11 71 270 102"
SITE = "Compte ameli"
AGENTS = "Medialog+"

# Grid key, address, what the <title> starts with, the h1.
PUBLIC_PAGES = (
    ("connexion", routes.LOGIN, "J'accède à mon compte ameli", LOGIN_HEADING),
    ("retour_franceconnect", "/?franceconnect=access_denied", "J'accède à mon compte ameli", LOGIN_HEADING),
    ("aide", routes.HELP_NIR, "Où trouver mon numéro", "Où trouver mon numéro de sécurité sociale ?"),
    ("declaration", routes.ACCESSIBILITY, "Déclaration d'accessibilité", "Déclaration d'accessibilité"),
    ("mentions_legales", routes.LEGAL_NOTICE, "Mentions légales", "Mentions légales"),
    ("cgu", routes.TERMS_OF_USE, "Conditions générales d'utilisation", "Conditions générales d'utilisation"),
    ("donnees_personnelles", routes.PERSONAL_DATA, "Données personnelles", "Données personnelles"),
    ("plan_du_site", routes.SITE_MAP, "Plan du site", "Plan du site"),
    ("connexion_agents", routes.ADMIN_LOGIN, "Espace agents", "Espace agents Medialog+"),
)


def _assert_clean(audits: list[PageAudit]) -> None:
    problems = report(audits)
    assert not problems, "Critères RGAA en défaut :\n" + problems


def _heading(page: Page, name: str | re.Pattern[str]) -> None:
    expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()


def _in_live_region(page: Page, text: str) -> bool:
    """Whether `text` is shown inside a live region (role status or alert, or aria-live)."""
    return page.evaluate(
        """(text) => [...document.querySelectorAll('[role=status], [role=alert], [aria-live]')]
            .some(region => region.innerText.includes(text))""",
        text,
    )


def test_public_pages(page: Page, viewport: str) -> None:
    audits = []
    for key, address, title, heading in PUBLIC_PAGES:
        page.goto(address)
        _heading(page, heading)
        if key == "retour_franceconnect":
            expect(page.get_by_role("alert")).to_contain_text(
                "Vous avez annulé la connexion avec FranceConnect."
            )
        audits.append(audit_page(page, key, title_names=title))
    _assert_clean(audits)


def test_insured_pages(page: Page, viewport: str, fresh_demo_data: str) -> None:
    """The journey's pages as the sample names them, and its status messages in live regions (7.5)."""
    audits = []
    log_in_as(page, RENALDO, "Renaldo ZOVI")
    dialog = page.get_by_role("dialog", name="Votre complémentaire santé")
    expect(dialog).to_be_visible()
    audits.append(audit_page(page, "tableau_de_bord", title_names="Tableau de bord"))

    dialog.get_by_role("button", name="Sélectionner").click()
    _heading(page, re.compile("^Choisir l'organisme"))
    page.get_by_role("button", name="Passer à l'étape suivante").click()
    summary = page.get_by_role("alert").filter(has_text="Il manque un choix")
    expect(summary).to_be_visible()
    audits.append(audit_page(page, "selection", title_names="Erreur : Étape 1 sur 2"))

    for group in page.get_by_role("group").filter(has=page.get_by_role("radio")).all():
        group.get_by_role("radio").first.check()
    page.get_by_role("button", name="Passer à l'étape suivante").click()
    expect(page.get_by_text("Étape 2 sur 2")).to_be_visible()
    audits.append(audit_page(page, "recapitulatif", title_names="Étape 2 sur 2"))

    page.get_by_role("button", name="Confirmer").click()
    _heading(page, "Votre choix a bien été transmis.")
    assert _in_live_region(page, "Référence de votre demande"), "7.5 : la confirmation n'est pas annoncée"
    audits.append(audit_page(page, "confirmation", title_names="Votre choix a bien été transmis"))
    page.get_by_role("button", name="Oui").click()
    expect(page.get_by_text("Merci pour votre réponse.")).to_be_visible()
    assert _in_live_region(page, "Merci pour votre réponse."), "7.5 : le remerciement n'est pas annoncé"

    for key, link, title in (
        ("informations", "Vos informations", "Mes informations"),
        ("paiements", "Frais de santé", "Vos paiements"),
    ):
        page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name=link).click()
        expect(page).to_have_title(re.compile(f"^{title}"))
        expect(page.get_by_role("main").get_by_role("heading", level=1)).to_be_visible()
        expect(page.get_by_role("status").filter(has_text="Chargement")).to_have_count(0)  # its data shown
        audits.append(audit_page(page, key, title_names=title))
    # The PDFs' accessible versions (13.3), and the attestation de droits' page, beside the payments.
    page.get_by_role("link", name=re.compile("^Consulter le relevé en version accessible")).first.click()
    _heading(page, "Relevé de paiement")
    expect(page.get_by_role("main").get_by_text("Montant remboursé")).to_be_visible()
    audits.append(
        audit_page(page, "releve_accessible", title_names="Relevé de paiement (version accessible)")
    )
    page.goto(routes.RIGHTS_ATTESTATION)
    _heading(page, "Attestation de droits")
    audits.append(audit_page(page, "attestation_de_droits", title_names="Attestation de droits |"))
    page.get_by_role("link", name="Consulter mon attestation de droits en version accessible").click()
    _heading(page, "Attestation de droits à l'assurance maladie")
    expect(page.get_by_role("main").get_by_text("Référence de vérification", exact=True)).to_be_visible()
    audits.append(
        audit_page(
            page,
            "attestation_accessible",
            title_names="Attestation de droits à l'assurance maladie (version accessible)",
        )
    )
    page.goto(routes.NOTIFICATIONS)
    _heading(page, "Notifications")
    audits.append(audit_page(page, "notifications", title_names="Notifications"))
    assert [audit.name for audit in audits] == list(INSURED_SAMPLE_PAGES)
    _assert_clean(audits)


def test_agent_pages(page: Page, viewport: str, fresh_demo_data: str) -> None:
    affaires = _create_affaires(fresh_demo_data)
    audits = []
    _log_in_agent(page, "agent.ain")
    _heading(page, "File des affaires")
    expect(page.get_by_role("row").filter(has_text=affaires.renaldo)).to_be_visible()
    audits.append(audit_page(page, "file_affaires", title_names="File des affaires"))
    page.get_by_role("link", name=affaires.renaldo).click()
    _heading(page, re.compile(affaires.renaldo))
    audits.append(audit_page(page, "affaire", title_names=f"Affaire {affaires.renaldo}"))
    assert [audit.name for audit in audits] == list(AGENT_SAMPLE_PAGES)
    _assert_clean(audits)


def _assert_page_has_a_heading(page: Page, address: str) -> None:
    response = page.goto(address)
    assert response is not None and response.ok, f"{address} : {response and response.status}"
    # A signed-in page first connects and runs its gate, which sends a visitor to the login: on a
    # busy machine that took more than expect's default 5 s (final fresh-clone run, /tableau-de-bord).
    expect(page.get_by_role("heading", level=1)).to_have_count(1, timeout=20_000)
    assert page.locator('a[href="#"]').count() == 0, f"{address} : lien vers « # »"


def test_footer_links_lead_to_pages_with_a_heading(page: Page, viewport: str) -> None:
    """Every footer link (the same on every page) opens a page with an h1 and no link to "#";
    the footer says the status the grid computes."""
    page.goto(routes.LOGIN)
    footer = page.get_by_role("contentinfo")
    internal = [(text, href) for text, href in footer_links() if href.startswith("/")]
    for text, href in internal:
        expect(footer.get_by_role("link", name=text, exact=True)).to_have_attribute("href", href)
    audit = load_audit()
    expect(footer.get_by_role("link", name=f"Accessibilité : {audit.compliance}")).to_be_visible()
    for _, href in internal:
        _assert_page_has_a_heading(page, href)
        if href == routes.ACCESSIBILITY:  # the statement states what the grid computes
            main = page.get_by_role("main")
            expect(main).to_contain_text(f"est {audit.compliance} avec le référentiel")
            expect(main).to_contain_text(f"révèle que {format_rate(audit.rate)} des critères")
            for criterion in audit.non_conformities():
                expect(main).to_contain_text(criterion.reason)
    page.goto(routes.SITE_MAP)
    for _, links in SITE_MAP_SECTIONS:
        for text, href in links:
            expect(page.get_by_role("main").get_by_role("link", name=text, exact=True)).to_have_attribute(
                "href", href
            )


@pytest.mark.viewports("desktop")  # the same links at every size: the footer test covers the sizes
def test_site_map_links_lead_to_pages_with_a_heading(page: Page, viewport: str) -> None:
    """12.3: each page the site map lists opens (signed-in pages send a visitor to the login)."""
    for _, links in SITE_MAP_SECTIONS:
        for _, href in links:
            _assert_page_has_a_heading(page, href)
