"""Insured persons who cannot use the service, and one without any overlap."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import assert_accessible, assert_touch_targets, log_in_as

EXCLUDED = [
    ("1 79 06 75 112 034 68", "Karim BENALI", "Plus de 4 bénéficiaires sont concernés"),
    ("2 90 09 01 004 056 87", "Sophie MARTIN", "Complémentaire santé solidaire"),
    ("1 72 02 04 070 021 45", "Paul DURAND", "régime partenaire"),
]


@pytest.mark.parametrize(
    ("nir", "greeting", "reason"), EXCLUDED, ids=["5-beneficiaires", "css", "regime-partenaire"]
)
def test_excluded_insured_gets_no_dialog_and_is_told_to_call(
    page: Page, viewport: str, nir: str, greeting: str, reason: str
) -> None:
    log_in_as(page, nir, greeting)
    notice = page.get_by_role("status").filter(has_text="3646")
    expect(notice).to_contain_text("est bloquée")
    expect(notice).to_contain_text(reason)
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.get_by_role("link", name="Je sélectionne ma complémentaire")).to_have_count(0)
    assert_accessible(page)

    page.goto("/complementaire/selection")
    expect(page.get_by_text(reason)).to_be_visible()
    expect(page.get_by_text("3646")).to_be_visible()
    expect(page.get_by_role("radio")).to_have_count(0)


def test_julie_without_overlap_sees_no_prompt(page: Page, viewport: str) -> None:
    log_in_as(page, "2 95 07 01 053 089 53", "Julie PETIT")
    expect(page.get_by_role("heading", name="Vos derniers paiements")).to_be_visible()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.get_by_role("link", name="Je sélectionne ma complémentaire")).to_have_count(0)
    page.goto("/complementaire/selection")
    expect(
        page.get_by_text("Aucun chevauchement de complémentaires n'est enregistré pour vous.")
    ).to_be_visible()


def test_dashboard_blocks_are_present(page: Page, viewport: str) -> None:
    log_in_as(page, "2 95 07 01 053 089 53", "Julie PETIT")
    for name in ("Vos derniers paiements", "Vos démarches en 2 clics", "Vos informations", "Vos rendez-vous"):
        expect(page.get_by_role("heading", level=2, name=name)).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="0 Notification")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="1 Nouveau message")).to_be_visible()
    nav = page.get_by_role("navigation", name="Navigation principale")
    for name in ("Accueil", "Frais de santé", "Démarches", "Vos documents", "Vos informations"):
        expect(nav.get_by_role("link", name=name)).to_be_visible()
    assert_accessible(page)


@pytest.mark.viewports("phone")
def test_phone_touch_targets(page: Page, viewport: str) -> None:
    page.goto("/")
    assert_touch_targets(page)
    log_in_as(page, "2 68 03 01 283 047 80", "Chantal LABONDE")
    page.keyboard.press("Escape")
    assert_touch_targets(page)
    page.goto("/complementaire/selection")
    expect(page.get_by_role("radio").first).to_be_visible()
    assert_touch_targets(page)
