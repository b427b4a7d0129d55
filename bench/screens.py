"""Screenshots of the pages the Lighthouse part measures, at the three test viewports.

    python -m bench.screens DIR            # serve the app (scratch database), save DIR/<viewport>-<page>.png
    python -m bench.screens --compare A B  # per screenshot, the share of pixels that differ
    python -m bench.screens DIR --viewports 390x844 768x1024 1366x900  # other sizes than the e2e tests

Used to check that a change to the build (the purged style sheet) leaves every page looking
the same: screenshots before and after, then `--compare` (bench/OPTIMISATIONS.md).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

from playwright.sync_api import Page, ViewportSize, expect, sync_playwright

from bench.lighthouse import CHROMIUM, CHROMIUM_ARGS, WEB_WORKDIR
from rxapp import routes
from rxapp.services.demo import AGENT_PASSWORD, AGENTS, DEMO_CODE, PERSONAS
from rxapp.settings import VAR_DIR
from tests.support.databases import reset_demo_data, scratch_database
from tests.support.processes import running_app

VIEWPORTS: dict[str, ViewportSize] = {
    "phone": {"width": 390, "height": 844},
    "tablet": {"width": 820, "height": 1180},
    "desktop": {"width": 1440, "height": 900},
}
TIMEOUT_MS = 20_000


def _wait_for_path(page: Page, path: str) -> None:
    page.wait_for_url(re.compile(re.escape(path) + "/?(\\?.*)?$"))


def _shot(page: Page, folder: Path, viewport: str, name: str) -> None:
    page.wait_for_load_state("networkidle")
    expect(page.get_by_text("Chargement…")).to_have_count(0, timeout=TIMEOUT_MS)
    page.screenshot(
        path=folder / f"{viewport}-{name}.png", full_page=True, animations="disabled", caret="hide"
    )


def journey(page: Page, folder: Path, viewport: str) -> None:
    """Renaldo ZOVI's journey, an error summary on the way, then an agent's queue."""
    renaldo = PERSONAS[0]
    page.goto("/")
    expect(page.get_by_role("button", name="Me connecter")).to_be_visible()
    _shot(page, folder, viewport, "login")
    page.get_by_label("Numéro de sécurité sociale").fill(re.sub(r"\D", "", renaldo.nir)[:13])
    page.get_by_label("Code", exact=True).fill(DEMO_CODE)
    page.get_by_role("button", name="Me connecter").click()
    _wait_for_path(page, routes.DASHBOARD)
    expect(page.get_by_role("dialog")).to_be_visible(timeout=TIMEOUT_MS)
    _shot(page, folder, viewport, "dashboard-dialog")
    page.goto(routes.SELECTION + "/")
    expect(page.get_by_role("button", name="Passer à l'étape suivante")).to_be_visible(timeout=TIMEOUT_MS)
    _shot(page, folder, viewport, "selection")
    page.get_by_role("button", name="Passer à l'étape suivante").click()
    expect(page.get_by_role("alert").first).to_be_visible(timeout=TIMEOUT_MS)
    _shot(page, folder, viewport, "selection-errors")
    for group in page.locator("fieldset").all():
        group.get_by_role("radio").first.check()
    page.get_by_role("button", name="Passer à l'étape suivante").click()
    _wait_for_path(page, routes.RECAP)
    expect(page.get_by_role("button", name="Confirmer")).to_be_visible(timeout=TIMEOUT_MS)
    _shot(page, folder, viewport, "recap")
    page.get_by_role("button", name="Confirmer").click()
    _wait_for_path(page, routes.CONFIRMATION)
    _shot(page, folder, viewport, "confirmation")
    page.goto(routes.ADMIN_LOGIN + "/")
    page.get_by_label("Identifiant").fill(AGENTS[0][0])
    page.get_by_label("Mot de passe").fill(AGENT_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    _wait_for_path(page, routes.ADMIN_QUEUE)
    expect(page.get_by_role("heading", level=1, name="File des affaires")).to_be_visible(timeout=TIMEOUT_MS)
    _shot(page, folder, viewport, "admin-queue")


def capture(folder: Path, viewports: dict[str, ViewportSize] | None = None) -> None:
    """Serve the app on a scratch database and walk the journey once per viewport."""
    folder.mkdir(parents=True, exist_ok=True)
    with scratch_database("bench_screens") as database_url:
        overrides: dict[str, str | None] = {
            "DATABASE_URL": database_url,
            "REFLEX_WEB_WORKDIR": os.environ.get("REFLEX_WEB_WORKDIR", WEB_WORKDIR),
            "CELERY_QUEUE": f"bench-screens-{os.getpid()}",
        }
        with running_app(overrides, VAR_DIR / "bench" / "screens-app.log") as app, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for viewport, size in (viewports or VIEWPORTS).items():
                reset_demo_data(database_url, attempts=10)
                context = browser.new_context(
                    base_url=app.url, viewport=size, locale="fr-FR", has_touch=size["width"] < 1024
                )
                context.set_default_timeout(TIMEOUT_MS)
                journey(context.new_page(), folder, viewport)
                context.close()
            browser.close()


def compare(before: Path, after: Path) -> int:
    """Print, per screenshot, its size in both folders and the share of pixels that differ."""
    from PIL import Image, ImageChops

    worst = 0.0
    for old in sorted(before.glob("*.png")):
        new = after / old.name
        if not new.exists():
            print(f"{old.stem}: absente de {after}")
            worst = 1.0
            continue
        a, b = Image.open(old).convert("RGB"), Image.open(new).convert("RGB")
        if a.size != b.size:
            print(f"{old.stem}: tailles différentes {a.size} → {b.size}")
            worst = 1.0
            continue
        box = ImageChops.difference(a, b).getbbox()
        changed = 0
        if box:
            diff = ImageChops.difference(a, b).crop(box).convert("L").point(lambda v: 255 if v else 0)
            changed = sum(diff.histogram()[255:])
        share = changed / (a.size[0] * a.size[1])
        worst = max(worst, share)
        print(f"{old.stem}: {a.size[0]}×{a.size[1]}, {changed} pixels différents ({share:.4%}), zone {box}")
    return 0 if worst == 0 else 1


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench.screens")
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--compare", action="store_true")
    parser.add_argument("--viewports", nargs="+", metavar="LxH", help="au lieu des tailles des tests e2e")
    args = parser.parse_args()
    if args.compare:
        return compare(*args.folders[:2])
    viewports = None
    if args.viewports:
        sizes = [tuple(int(n) for n in text.split("x")) for text in args.viewports]
        viewports = {f"{w}x{h}": ViewportSize(width=w, height=h) for w, h in sizes}
    capture(args.folders[0], viewports)
    return 0


if __name__ == "__main__":
    sys.exit(main())
