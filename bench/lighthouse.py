"""Part 1 of `make bench`: page load measured by Lighthouse, ours against a blank Reflex app.

The app is served as in production (`python -m rxapp.cli serve`, PostgreSQL, Redis)
on a scratch database; a blank Reflex app (`reflex init --template blank`) is built
and served in the same run as the framework's floor. `bench/lighthouse/measure.mjs`
(Lighthouse and puppeteer-core from npm, Debian Chromium) walks the insured's
journey and the agents' queue in one tab and measures each page on its first load.
Each run starts from the demo data, because the confirmation consumes the persona's
pending slot.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from bench.stats import budget, summary
from rxapp import routes
from rxapp.services.demo import AGENT_PASSWORD, AGENTS, DEMO_CODE, PERSONAS
from rxapp.settings import VAR_DIR
from tests.support.databases import reset_demo_data, scratch_database
from tests.support.processes import running_app, served_reflex_folder

NODE_DIR = Path(__file__).resolve().parent / "lighthouse"
BIN_DIR = Path(sys.executable).parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
RUNS = int(os.environ.get("BENCH_LIGHTHOUSE_RUNS", "3"))
# BENCH_LIGHTHOUSE_PRESETS="mobile" narrows a run to the preset the budgets are about.
PRESETS = tuple(os.environ.get("BENCH_LIGHTHOUSE_PRESETS", "mobile desktop").split())
WEB_WORKDIR = os.environ.get("REFLEX_WEB_WORKDIR", "/tmp/web-lighthouse")
LOGS = VAR_DIR / "bench" / "lighthouse"

INSURED_PAGES = ("login", "dashboard", "selection", "recap", "confirmation", "information")
PAGE_LABELS = {
    "blank": "app vide (référence)",
    "login": "connexion",
    "dashboard": "tableau de bord, dialogue ouvert",
    "selection": "sélection (étape 1)",
    "recap": "récapitulatif (étape 2)",
    "confirmation": "confirmation",
    "information": "vos informations",
    "admin_queue": "file des affaires (agent)",
}
PERFORMANCE_MIN = 95
JS_RATIO_MAX = 1.10
CLS_MAX = 0.02
LCP_MAX_MS = 2000
# Both style sheets of a page (`/styles.css` and Reflex's global sheet) are links in <head>:
# every byte of them blocks the first paint.
CSS_MAX_KB = 20


def _page(path: str) -> str:
    """Reflex serves each page at its route with a trailing slash; asking for it avoids a redirect."""
    return path.rstrip("/") + "/"


def _measure(name: str, path: str) -> dict:
    return {"do": "measure", "name": name, "path": _page(path), "expect_path": path}


def journey_steps() -> list[dict]:
    """Renaldo ZOVI's journey, then an agent of his CPAM on the queue: the pages the issue names."""
    renaldo = PERSONAS[0]
    agent_login = AGENTS[0][0]
    return [
        _measure("login", routes.LOGIN),
        {"do": "goto", "path": routes.LOGIN},
        {"do": "fill", "label": "Numéro de sécurité sociale", "value": re.sub(r"\D", "", renaldo.nir)[:13]},
        {"do": "fill", "label": "Code", "value": DEMO_CODE},
        {"do": "click", "name": "Me connecter"},
        {"do": "wait_for_path", "path": routes.DASHBOARD},
        # The conflict dialog opens on load: this is the dashboard "with the dialog open".
        _measure("dashboard", routes.DASHBOARD),
        {"do": "wait_for_selector", "selector": '[role="dialog"]'},
        _measure("selection", routes.SELECTION),
        {"do": "check_first_radio_per_group"},
        {"do": "click", "name": "Passer à l'étape suivante"},
        {"do": "wait_for_path", "path": routes.RECAP},
        _measure("recap", routes.RECAP),
        {"do": "click", "name": "Confirmer"},
        {"do": "wait_for_path", "path": routes.CONFIRMATION},
        _measure("confirmation", routes.CONFIRMATION),
        _measure("information", routes.INFORMATION),
        {"do": "goto", "path": _page(routes.ADMIN_LOGIN)},
        {"do": "fill", "label": "Identifiant", "value": agent_login},
        {"do": "fill", "label": "Mot de passe", "value": AGENT_PASSWORD},
        {"do": "click", "name": "Se connecter"},
        {"do": "wait_for_path", "path": routes.ADMIN_QUEUE},
        _measure("admin_queue", routes.ADMIN_QUEUE),
    ]


def _node_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = str(BIN_DIR) + os.pathsep + env.get("PATH", "")
    env.setdefault("REFLEX_USE_NPM", "1")
    env.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
    env["PUPPETEER_SKIP_DOWNLOAD"] = "1"  # Debian's Chromium is used
    return env


def install_node_packages() -> None:
    """`npm ci` in bench/lighthouse when its node_modules are missing."""
    if (NODE_DIR / "node_modules" / "lighthouse").is_dir():
        return
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR, env=_node_env(), check=True)


def measure(
    base_url: str,
    preset: str,
    steps: Sequence[dict],
    *,
    report_dir: Path | None = None,
    report_prefix: str = "",
) -> list[dict]:
    """One Lighthouse run over `steps`; one summary per measured page (and, given `report_dir`, each
    page's whole Lighthouse report in it, as `<report_prefix><preset>-<page>.json`)."""
    plan = {
        "base_url": base_url,
        "preset": preset,
        "chromium": CHROMIUM,
        "chromium_args": CHROMIUM_ARGS,
        "steps": list(steps),
        "failure_screenshot": str(LOGS / f"failure-{preset}.png"),
        "report_dir": str(report_dir) if report_dir else None,
        "report_prefix": report_prefix,
    }
    LOGS.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", suffix=".json", prefix="lighthouse-plan-") as plan_file:
        json.dump(plan, plan_file)
        plan_file.flush()
        done = subprocess.run(
            ["node", "measure.mjs", plan_file.name],
            cwd=NODE_DIR,
            env=_node_env(),
            stdout=subprocess.PIPE,
            stderr=None,
            text=True,
            timeout=1200,
        )
    if done.returncode != 0:
        raise RuntimeError(f"Lighthouse a échoué ({preset}, {base_url}), voir la sortie ci-dessus")
    return json.loads(done.stdout)


@contextmanager
def blank_app() -> Iterator[str]:
    """`reflex init --template blank` in a temporary folder, served with `reflex run --env prod`."""
    env = _node_env()
    env.pop("REFLEX_WEB_WORKDIR", None)  # its own .web, inside the temporary folder
    env.pop("APP_PORT", None)
    LOGS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="reflex-blank-") as folder:
        subprocess.run(
            [str(BIN_DIR / "reflex"), "init", "--template", "blank", "--name", "blank"],
            cwd=folder,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        with served_reflex_folder(Path(folder), env, LOGS / "blank.log") as (url, _process):
            yield url


def _journey(url: str, database_url: str, preset: str, attempts: int = 2) -> list[dict]:
    """One run of the journey from fresh demo data; a run cut short (a timeout under load) is redone."""
    for _ in range(attempts - 1):
        reset_demo_data(database_url, attempts=10)
        try:
            return measure(url, preset, journey_steps())
        except (RuntimeError, subprocess.TimeoutExpired):
            print(f"Parcours interrompu ({preset}), nouvel essai", flush=True)
    reset_demo_data(database_url, attempts=10)
    return measure(url, preset, journey_steps())


def _collect(runs: Sequence[list[dict]]) -> dict[str, dict[str, dict]]:
    """Per page, per figure: the summary over runs."""
    figures = (
        "performance",
        "accessibility",
        "best_practices",
        "js_kb",
        "css_kb",
        "cls",
        "lcp_ms",
        "tbt_ms",
        "fcp_ms",
    )
    pages: dict[str, dict[str, list[float]]] = {}
    for run in runs:
        for result in run:
            for figure in figures:
                if result.get(figure) is not None:
                    pages.setdefault(result["page"], {}).setdefault(figure, []).append(result[figure])
    return {page: {fig: summary(values) for fig, values in by.items()} for page, by in pages.items()}


def _cell(figure: dict, digits: int = 0) -> str:
    """'median (±spread)'."""
    return f"{figure['median']:.{digits}f} (±{figure['spread']:.{digits}f})"


def _table(preset: str, stats: dict[str, dict[str, dict]]) -> dict:
    rows = []
    for page in ("blank", *INSURED_PAGES, "admin_queue"):
        if page not in stats:
            continue
        by = stats[page]
        rows.append(
            [
                PAGE_LABELS[page],
                _cell(by["performance"]),
                _cell(by["accessibility"]),
                _cell(by["best_practices"]),
                _cell(by["js_kb"]),
                _cell(by["css_kb"], 1),
                _cell(by["cls"], 3),
                _cell(by["lcp_ms"]),
                _cell(by["tbt_ms"]),
            ]
        )
    return {
        "caption": f"Lighthouse, profil {preset} (médiane de {RUNS} mesures, ± écart max − min)",
        "columns": [
            "page",
            "performance",
            "accessibilité",
            "bonnes pratiques",
            "JS au premier chargement (Ko gzip)",
            "CSS bloquant (Ko gzip)",
            "CLS",
            "LCP (ms)",
            "TBT (ms)",
        ],
        "rows": rows,
    }


def _budgets(stats: dict[str, dict[str, dict]]) -> list[dict]:
    """The issue's budgets, on every insured page and the agents' queue, with the mobile preset."""
    js_limit = round(JS_RATIO_MAX * stats["blank"]["js_kb"]["median"], 1)
    items = []
    for page in (*INSURED_PAGES, "admin_queue"):
        by, label = stats[page], PAGE_LABELS[page]
        items += [
            budget(
                f"{label} : performance mobile", by["performance"]["median"], PERFORMANCE_MIN, at_most=False
            ),
            budget(f"{label} : accessibilité", by["accessibility"]["median"], 100, at_most=False),
            budget(f"{label} : bonnes pratiques", by["best_practices"]["median"], 100, at_most=False),
            budget(
                f"{label} : JS au premier chargement", round(by["js_kb"]["median"], 1), js_limit, unit="Ko"
            ),
            budget(f"{label} : décalage de mise en page (CLS)", round(by["cls"]["median"], 3), CLS_MAX),
            budget(f"{label} : LCP", round(by["lcp_ms"]["median"]), LCP_MAX_MS, unit="ms"),
            budget(
                f"{label} : CSS bloquant le rendu", round(by["css_kb"]["median"], 1), CSS_MAX_KB, unit="Ko"
            ),
        ]
    return items


def run() -> dict:
    """Measure the blank app and ours, RUNS times per preset; see the module docstring."""
    install_node_packages()
    load_before = os.getloadavg()[1]
    raw: dict[str, dict[str, list[list[dict]]]] = {preset: {"blank": [], "app": []} for preset in PRESETS}
    print("App vide (référence)…", flush=True)
    with blank_app() as url:
        for preset in PRESETS:
            for _ in range(RUNS):
                raw[preset]["blank"].append(measure(url, preset, [_measure("blank", routes.LOGIN)]))
    print("Notre app…", flush=True)
    with scratch_database("bench_lighthouse") as database_url:
        overrides: dict[str, str | None] = {
            "DATABASE_URL": database_url,
            "REFLEX_WEB_WORKDIR": WEB_WORKDIR,
            "CELERY_QUEUE": f"bench-lighthouse-{os.getpid()}",
        }
        with running_app(overrides, LOGS / "app.log") as app:
            for preset in PRESETS:
                for _ in range(RUNS):
                    raw[preset]["app"].append(_journey(app.url, database_url, preset))
    load_after = os.getloadavg()[1]
    stats = {preset: _collect(runs["blank"] + runs["app"]) for preset, runs in raw.items()}
    blank_js = stats["mobile"]["blank"]["js_kb"]["median"]
    intro = (
        "Lighthouse (npm, navigation avec throttling simulé) pilote Chromium Debian par puppeteer-core. "
        "L'app est servie comme en production (`python -m rxapp.cli serve`, PostgreSQL, Redis) ; une app "
        "Reflex vide (`reflex init --template blank`) est construite et servie dans la même exécution "
        "et donne le plancher du framework. Le parcours se fait dans un seul onglet (Renaldo ZOVI, "
        "puis l'agent de l'Ain) ; chaque page est mesurée à son premier chargement (cache HTTP vidé, "
        "cookie de session gardé), données de démonstration rechargées avant chaque mesure. "
        f"« JS au premier chargement » : octets transférés (gzip) des scripts. Limite JS : "
        f"{JS_RATIO_MAX} × {blank_js:.1f} Ko (l'app vide). Charge moyenne de la machine (5 min) : "
        f"{load_before:.1f} au début, {load_after:.1f} à la fin, pour {os.cpu_count()} cœurs ; le score de "
        "performance (throttling simulé à partir des temps mesurés) en dépend, les octets et le CLS non."
    )
    return {
        "title": "1. Chargement des pages (Lighthouse)",
        "intro": intro,
        "tables": [_table(preset, stats[preset]) for preset in PRESETS],
        "budgets": _budgets(stats["mobile"]),
        "raw": {"runs": RUNS, "load_average": [load_before, load_after], "stats": stats, "measurements": raw},
    }
