"""Merge every part's `var/bench/<part>.json` into `results.json` and `BENCHMARKS.md`.

A part's result is a dict:
  title:   str
  intro:   optional Markdown paragraph (method, baseline)
  tables:  [{"caption": str, "columns": [str], "rows": [[cell, ...]]}]
  budgets: [bench.stats.budget(...)]
  raw:     anything worth keeping in results.json
"""

from __future__ import annotations

import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "var" / "bench"
PARTS = ("lighthouse", "websocket", "worker", "data", "flood", "notifications", "cluster", "capacity")
OPTIMISATIONS = Path(__file__).resolve().parent / "OPTIMISATIONS.md"


def machine() -> dict[str, object]:
    memory_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_kb = int(line.split()[1])
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def _where(info: dict[str, object]) -> str:
    return f"{info['cores']} cœurs, {info['memory_gib']} Gio de mémoire, Python {info['python']}, {info['platform']}"


def save_part(name: str, result: dict) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    # Machines of one kind differ (twice as slow, seen here): each part says which one measured it.
    result = dict(result, measured_at=datetime.now(UTC).isoformat(timespec="seconds"), machine=machine())
    path = RESULTS_DIR / f"{name}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    return path


def load_parts() -> dict[str, dict]:
    parts = {}
    for name in PARTS:
        path = RESULTS_DIR / f"{name}.json"
        if path.exists():
            parts[name] = json.loads(path.read_text())
    return parts


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"
    return str(value).replace("|", "\\|")


def _table(table: dict) -> list[str]:
    lines = []
    if table.get("caption"):
        lines += [f"**{table['caption']}**", ""]
    lines.append("| " + " | ".join(table["columns"]) + " |")
    lines.append("|" + "---|" * len(table["columns"]))
    lines += ["| " + " | ".join(_cell(cell) for cell in row) + " |" for row in table["rows"]]
    return [*lines, ""]


def _budgets(budgets: list[dict]) -> list[str]:
    lines = ["| budget | mesuré | limite | tenu |", "|---|---|---|---|"]
    for item in budgets:
        unit = f" {item['unit']}" if item.get("unit") else ""
        lines.append(
            f"| {item['name']} | {_cell(item['measured'])}{unit} | {item['comparison']} "
            f"{_cell(item['limit'])}{unit} | {'oui' if item['met'] else '**non**'} |"
        )
    return [*lines, ""]


def _earlier_sections(report_path: Path) -> dict[int, list[str]]:
    """The numbered part sections (`## 2. ...`) of an existing report, by part number."""
    sections: dict[int, list[str]] = {}
    current: list[str] | None = None
    if not report_path.exists():
        return sections
    for line in report_path.read_text().splitlines():
        if line.startswith("## "):
            number = line[3:].split(".", 1)[0]
            current = sections.setdefault(int(number), []) if number.isdigit() else None
        if current is not None:
            current.append(line)
    return sections


def write_report() -> tuple[Path, Path]:
    parts = load_parts()
    info = machine()
    results = {"machine": info, "parts": parts}
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    results_path = RESULTS_DIR / "results.json"
    results_path.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))

    lines = [
        "# Benchmarks",
        "",
        "Produit par `make bench` (les chiffres bruts : `var/bench/results.json`). Chaque chiffre est la",
        "médiane d'au moins 3 mesures avec son écart (max − min), et se lit à côté d'une référence",
        "mesurée dans la même exécution : la machine est partagée et bruyante.",
        "",
        f"Rapport écrit sur : {_where(info)}. Chaque partie mesurée depuis le 2 décembre 2026 nomme",
        "sa machine ; les plus anciennes ont pu l'être sur une autre du même type. Ces machines diffèrent",
        "(l'app vide y tient de 20 à 60 parcours/s) : un chiffre se lit à côté de sa référence, mesurée",
        "dans la même exécution.",
        "",
    ]
    report_path = ROOT / "BENCHMARKS.md"
    earlier = _earlier_sections(report_path)
    for number, name in enumerate(PARTS, start=1):
        part = parts.get(name)
        if part is None:
            # Not measured here (`PARTS=` narrowed the run, or a fresh checkout): the section of
            # the last report stays, with its own date.
            lines += earlier.get(number, [])
            continue
        where = f", sur : {_where(part['machine'])}" if part.get("machine") else ""
        lines += [f"## {part['title']}", "", f"_Mesuré le {part.get('measured_at', '?')}{where}._", ""]
        if part.get("intro"):
            lines += [part["intro"], ""]
        for table in part.get("tables", []):
            lines += _table(table)
        if part.get("budgets"):
            lines += _budgets(part["budgets"])
    if OPTIMISATIONS.exists():
        lines += [OPTIMISATIONS.read_text().strip(), ""]
    report_path.write_text("\n".join(lines))
    return results_path, report_path
