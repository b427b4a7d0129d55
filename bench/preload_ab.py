"""Before/after of the modulepreload post-processing, in one run: `python -m bench.preload_ab`.

One app is served (as in `bench.lighthouse`); before each Lighthouse run of the journey, the
built pages are rewritten to one variant (`base`: as React Router wrote them, `low`:
the modulepreloads marked `fetchpriority="low"`, `drop`: no modulepreload at all, what the
export ships, `rxapp.build.preload`), and the variants take turns run after run, so that the
machine's load weighs on them alike. The build keeps its modulepreloads (KEEP_MODULEPRELOADS, in
its own folder) and every variant is made from its pages. Full reports go to
var/bench/lighthouse/ab/ (what the summary leaves out: LCP breakdown, dependency tree).

Environment: BENCH_AB_VARIANTS (default "base low drop"), BENCH_AB_RUNS (default 3),
BENCH_AB_PAGES (default: the whole journey; "login dashboard" stops after the dashboard; only the
journey's first pages can be picked: a page the next action needs cannot be left out),
BENCH_LIGHTHOUSE_PRESETS (default "mobile").
"""

from __future__ import annotations

import gzip
import json
import os
import re
import sys
from pathlib import Path

from bench import lighthouse
from bench.stats import summary
from rxapp.build.preload import drop_modulepreloads
from tests.support.databases import reset_demo_data, scratch_database
from tests.support.processes import running_app

VARIANTS = tuple(os.environ.get("BENCH_AB_VARIANTS", "base low drop").split())
RUNS = int(os.environ.get("BENCH_AB_RUNS", "3"))
PAGES = tuple(os.environ.get("BENCH_AB_PAGES", "").split())
PRESETS = tuple(os.environ.get("BENCH_LIGHTHOUSE_PRESETS", "mobile").split())
REPORTS = lighthouse.LOGS / "ab"
WEB_WORKDIR = lighthouse.WEB_WORKDIR + "-preloads"
FIGURES = ("performance", "lcp_ms", "fcp_ms", "tbt_ms", "si_ms", "js_kb", "cls")
_MODULEPRELOAD = re.compile(r"<link\b[^>]*\brel=\"modulepreload\"[^>]*>")


def _variant(html: str, variant: str) -> str:
    if variant == "drop":
        return drop_modulepreloads(html)
    if variant == "base":
        return html
    if variant == "low":
        return _MODULEPRELOAD.sub(
            lambda link: link.group(0).replace(" href=", ' fetchpriority="low" href=', 1), html
        )
    raise ValueError(variant)


def _rewrite(pristine: dict[Path, str], variant: str) -> None:
    """Every page as `variant`, always from the pages as built (a variant that drops links cannot be undone)."""
    for page, built in pristine.items():
        html = _variant(built, variant)
        page.write_text(html, encoding="utf-8")
        compressed = page.with_name(page.name + ".gz")
        if compressed.exists():
            compressed.write_bytes(gzip.compress(html.encode(), compresslevel=9, mtime=0))


def _steps() -> list[dict]:
    steps = lighthouse.journey_steps()
    if not PAGES:
        return steps
    last = max(i for i, step in enumerate(steps) if step.get("do") == "measure" and step["name"] in PAGES)
    return [s for s in steps[: last + 1] if s.get("do") != "measure" or s["name"] in PAGES]


def main() -> int:
    lighthouse.install_node_packages()
    load_before = os.getloadavg()
    results: dict[str, dict[str, list[dict]]] = {preset: {v: [] for v in VARIANTS} for preset in PRESETS}
    with scratch_database("bench_preload_ab") as database_url:
        overrides: dict[str, str | None] = {
            "DATABASE_URL": database_url,
            "REFLEX_WEB_WORKDIR": WEB_WORKDIR,
            "CELERY_QUEUE": f"bench-preload-ab-{os.getpid()}",
            # A build whose pages keep their modulepreloads (its own fingerprint): the variants start from it.
            "KEEP_MODULEPRELOADS": "true",
        }
        with running_app(overrides, lighthouse.LOGS / "app-ab.log") as app:
            frontend = Path(WEB_WORKDIR) / "build" / "client"
            if not frontend.is_absolute():
                frontend = Path(__file__).resolve().parent.parent / frontend
            pristine = {page: page.read_text(encoding="utf-8") for page in frontend.rglob("*.html")}
            try:
                for run in range(RUNS):
                    for preset in PRESETS:
                        for variant in VARIANTS:
                            _rewrite(pristine, variant)
                            reset_demo_data(database_url, attempts=10)
                            plan_steps = _steps()
                            done = _measure(app.url, preset, plan_steps, f"{variant}-{run}-")
                            results[preset][variant].append(done)
                            print(f"{preset} {variant} run {run}: {_brief(done)}", flush=True)
            finally:
                _rewrite(pristine, "base")
    load_after = os.getloadavg()
    out = {"load_before": load_before, "load_after": load_after, "stats": {}}
    for preset, by_variant in results.items():
        for variant, runs in by_variant.items():
            pages: dict[str, dict[str, list[float]]] = {}
            for done in runs:
                for result in done:
                    for figure in FIGURES:
                        if result.get(figure) is not None:
                            pages.setdefault(result["page"], {}).setdefault(figure, []).append(result[figure])
            out["stats"][f"{preset}/{variant}"] = {
                page: {figure: summary(values) for figure, values in by.items()} for page, by in pages.items()
            }
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / "summary.json").write_text(json.dumps(out, indent=1))
    print(f"load average: {load_before} -> {load_after}")
    for key, pages in out["stats"].items():
        for page, by in pages.items():
            cells = "  ".join(f"{f} {by[f]['median']:.0f}(±{by[f]['spread']:.0f})" for f in FIGURES[:5])
            print(f"{key:14} {page:14} {cells}")
    return 0


def _measure(url: str, preset: str, steps: list[dict], prefix: str) -> list[dict]:
    return lighthouse.measure(url, preset, steps, report_dir=REPORTS, report_prefix=prefix)


def _brief(done: list[dict]) -> str:
    return ", ".join(f"{r['page']} {r['performance']}/{r['lcp_ms']:.0f}ms" for r in done)


if __name__ == "__main__":
    sys.exit(main())
