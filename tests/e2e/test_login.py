"""The first journey: the login page, a wrong code, and Renaldo's dashboard."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from rxapp import routes
from rxapp.api.session import SESSION_COOKIE
from rxapp.services.auth import BAD_CREDENTIALS
from tests.e2e.helpers import assert_accessible, assert_no_horizontal_scroll, log_in, log_in_as, log_out

RENALDO = "1 74 11 71 270 102"
JULIE = "2 95 07 01 053 089 53"


def test_login_page_renders_its_labelled_fields(page: Page, viewport: str) -> None:
    page.goto("/")
    expect(page).to_have_title(re.compile("J'accède à mon compte ameli"))
    expect(page.get_by_role("heading", level=1, name="J'accède à mon compte ameli")).to_be_visible()
    expect(page.get_by_label("Numéro de sécurité sociale")).to_be_editable()
    expect(page.get_by_label("Code", exact=True)).to_have_attribute("type", "password")
    expect(page.get_by_role("button", name="Me connecter")).to_be_enabled()
    for name in (
        "Où trouver mon numéro de sécurité sociale ?",
        "Code oublié ?",
        "Qu'est-ce que FranceConnect ?",
    ):
        expect(page.get_by_role("link", name=name)).to_be_visible()
    assert_no_horizontal_scroll(page)
    assert_accessible(page)


@pytest.mark.viewports("phone")
@pytest.mark.parametrize(
    ("address", "secret_label", "button"),
    [("/", "Code", "Me connecter"), (routes.ADMIN_LOGIN, "Mot de passe", "Se connecter")],
)
def test_a_secret_is_never_sent_by_the_browser_before_the_page_is_connected(
    page: Page, viewport: str, address: str, secret_label: str, button: str
) -> None:
    """Before the page is connected to the server, the form cannot be sent: pressed, or with Enter,
    the browser would send it itself, with the secret in the page's address."""
    page.route_web_socket(re.compile(r"/_event"), lambda socket: None)  # a server that never answers
    page.goto(address)
    expect(page.get_by_role("button", name=button)).to_be_disabled()
    expect(page.locator("form")).to_have_attribute("method", "post")
    page.get_by_label(secret_label, exact=True).fill("Secret2026!")
    page.get_by_label(secret_label, exact=True).press("Enter")
    assert "Secret2026" not in page.url, page.url
    expect(page.get_by_label(secret_label, exact=True)).to_have_value("Secret2026!")


def test_wrong_code_shows_a_generic_error(page: Page, viewport: str) -> None:
    log_in(page, RENALDO, code="PasLeBonCode1")
    alert = page.get_by_role("alert")
    expect(alert).to_have_text(BAD_CREDENTIALS)
    expect(page).to_have_url(re.compile(r"/$"))
    assert_accessible(page)


def test_malformed_nir_gets_a_specific_message(page: Page, viewport: str) -> None:
    log_in(page, "1 74 13 71 270 102")
    expect(page.get_by_role("alert")).to_contain_text("entre 01 et 12")


def test_renaldo_logs_in_and_is_greeted_then_logs_out(page: Page, viewport: str) -> None:
    log_in_as(page, RENALDO, "Renaldo ZOVI")
    expect(page.get_by_role("dialog")).to_be_visible()  # his overlap is unresolved
    page.get_by_role("button", name="Plus tard").click()
    # Gone, not fading out: axe reads a closing dialog's colours at part opacity.
    expect(page.get_by_role("dialog")).to_have_count(0)
    # The login ends with a whole-page load, which the static server answers with a trailing slash.
    expect(page).to_have_url(re.compile("/tableau-de-bord/?$"))
    expect(page).to_have_title(re.compile("Tableau de bord"))
    assert_no_horizontal_scroll(page)
    assert_accessible(page)

    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("heading", name="J'accède à mon compte ameli")).to_be_visible()
    # The session is revoked server-side: the dashboard sends back to login. A new tab, as in the
    # admin tests: Reflex can drop an on_load redirect when a tab reloads right after a
    # client-side navigation (reflex#5219), which is not what this test is about.
    tab = page.context.new_page()
    tab.goto("/tableau-de-bord")
    expect(tab.get_by_role("heading", name="J'accède à mon compte ameli")).to_be_visible()
    tab.close()


@pytest.mark.viewports("desktop")
def test_the_session_cookie_is_out_of_reach_of_scripts(page: Page, viewport: str) -> None:
    log_in_as(page, JULIE, "Julie PETIT")  # no overlap dialog in front of "Se déconnecter"
    cookies = {cookie["name"]: cookie for cookie in page.context.cookies()}
    session = cookies[SESSION_COOKIE]
    assert session["httpOnly"] and session["sameSite"] == "Strict" and session["path"] == "/"
    assert session["value"] not in page.evaluate("document.cookie")
    assert SESSION_COOKIE not in page.evaluate("document.cookie")
    log_out(page)
    assert SESSION_COOKIE not in {cookie["name"] for cookie in page.context.cookies()}


def test_help_pages_are_reachable_from_login(page: Page, viewport: str) -> None:
    page.goto("/")
    page.get_by_role("link", name="Code oublié ?").click()
    expect(page.get_by_role("heading", level=1, name="Code oublié ?")).to_be_visible()
    page.get_by_role("link", name="Retourner à la connexion").click()
    expect(page.get_by_label("Numéro de sécurité sociale")).to_be_visible()


@pytest.mark.viewports("desktop")
def test_security_headers_on_pages_assets_and_api(page: Page, viewport: str) -> None:
    responses = [
        page.goto("/"),
        page.request.get("/favicon.ico"),
        page.request.post("/api/medialog/affaires"),
    ]
    for response in responses:
        headers = response.headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
        assert "camera=()" in headers["permissions-policy"]
    assert responses[2].status == 401
