"""Helpers shared by the browser tests."""

from __future__ import annotations

from urllib.parse import urlparse

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from rxapp.services.demo import AGENT_PASSWORD, DEMO_CODE

BLOCKING_IMPACTS = {"serious", "critical"}


LOGIN_HEADING = "J'accède à mon compte ameli"


def log_in(page: Page, nir: str, code: str = DEMO_CODE) -> None:
    """Fill the login form as a person would and submit it.

    The page is loaded only when the tab is elsewhere: reloading a tab right after a client-side
    navigation can drop the next redirect (reflex#5219), which no person does on purpose.
    """
    if urlparse(page.url).path != "/":
        page.goto("/")
    expect(page.get_by_role("heading", level=1, name=LOGIN_HEADING)).to_be_visible()
    page.get_by_label("Numéro de sécurité sociale").fill(nir)
    page.get_by_label("Code", exact=True).fill(code)
    page.get_by_role("button", name="Me connecter").click()


def log_in_as(page: Page, nir: str, greeting: str) -> None:
    """Log in and wait for the dashboard greeting (by text: an open dialog hides the page's roles).

    A login ends with a whole-page load (the server sets the HttpOnly cookie there), so the
    greeting is waited for on the dashboard's new page.
    """
    log_in(page, nir)
    expect(page.get_by_text(f"Bonjour {greeting}", exact=True)).to_be_visible()


def log_out(page: Page) -> None:
    """Click "Se déconnecter" and wait until the login page is shown (after the page load that
    expires the cookie)."""
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("heading", level=1, name=LOGIN_HEADING)).to_be_visible()


def close_affaire_as_agent(agent: Page, reference: str, login: str = "agent.ain") -> None:
    """Log in as a CPAM agent, open the affaire and take it through to its closure."""
    agent.goto("/admin")
    agent.get_by_label("Identifiant").fill(login)
    agent.get_by_label("Mot de passe").fill(AGENT_PASSWORD)
    agent.get_by_role("button", name="Se connecter").click()
    agent.get_by_role("link", name=reference).click()
    expect(agent.get_by_role("heading", level=1, name=reference)).to_be_visible()
    for action in ("Prendre en charge", "Mettre à jour Progrès", "Clôturer l'affaire"):
        agent.get_by_role("button", name=action).click()
        expect(agent.get_by_role("alert")).to_have_count(0)
    expect(agent.get_by_text("Clôturée").first).to_be_visible()


def assert_accessible(page: Page) -> None:
    """Run axe-core on the page; fail on any serious or critical violation."""
    results = Axe().run(page)
    blocking = [v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS]
    details = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}\n"
        + "\n".join(
            f"    {n['target']}: {' '.join(n.get('failureSummary', '').split())}" for n in v["nodes"][:3]
        )
        for v in blocking
    )
    assert not blocking, f"Violations d'accessibilité graves :\n{details}"


def assert_no_horizontal_scroll(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"La page défile horizontalement de {overflow} px"


def assert_touch_targets(page: Page, minimum: int = 44) -> None:
    """Every link and button outside running text is at least `minimum` px high."""
    small = page.evaluate(
        """(minimum) => [...document.querySelectorAll('main a, main button, header button, label.oc-option')]
            .filter(el => !el.closest('p') && el.offsetParent !== null)
            .map(el => [el.innerText.trim().slice(0, 40), el.getBoundingClientRect().height])
            .filter(([, height]) => height < minimum)""",
        minimum,
    )
    assert not small, f"Cibles tactiles de moins de {minimum} px : {small}"


# Records each text the page's main content shows, from the page's first script on.
_MAIN_TEXTS = """
window.mainTexts = [];
new MutationObserver(() => {
  const main = document.querySelector("main");
  if (main) window.mainTexts.push(main.innerText);
}).observe(document, {subtree: true, childList: true, characterData: true});
"""


def record_main_texts(page: Page) -> None:
    """From the next page load on, record every text the main content shows while it changes."""
    page.add_init_script(_MAIN_TEXTS)


def main_texts(page: Page) -> list[str]:
    """The texts recorded since the page loaded (`record_main_texts`); never empty."""
    texts = page.evaluate("window.mainTexts")
    assert texts, "aucun texte enregistré pendant le chargement"
    return texts
