"""The tables and budgets of part 8 (bench/capacity.py), from what it measured."""

from __future__ import annotations

from typing import Any

from bench.capacity import CPU_BUDGET_SECONDS, P95_LIMIT_MS
from bench.stats import budget, latency_summary

STEADY_P95_DRIFT = 0.20
MEMORY_GROWTH = 0.10


def _all(run: dict[str, Any]) -> dict[str, Any]:
    samples = [value for values in run["samples"].values() for value in values]
    return (
        latency_summary(samples)
        if samples
        else {"p50": float("nan"), "p95": float("nan"), "p99": float("nan")}
    )


def _lost(run: dict[str, Any]) -> str:
    check = run.get("check")
    return f"{check['requests']}/{check['affaires']}" if check else "-"


def _cost_tables(cost: dict[str, Any]) -> tuple[list[dict], list[dict]]:
    ours, blank = cost["ours"], cost["blank"]
    cpu = cost["cpu_per_journey"]
    sql = cost["sql_per_journey"]
    argon2 = cost["argon2_cpu_seconds"]
    total = sum(cpu.values())
    rows = [
        ["CPU serveur, total (s/parcours)", f"{total:.3f}", f"{cost['blank_cpu_per_journey']:.3f}"],
        *[[f"… dont processus « {role} »", f"{used:.3f}", "-"] for role, used in sorted(cpu.items())],
        ["… dont argon2 (1 vérification par connexion, mesurée à part)", f"{argon2:.3f}", "-"],
        ["… hors argon2", f"{total - argon2:.3f}", "-"],
        ["requêtes SQL par parcours (événements)", f"{sql.get('events', 0):.1f}", "-"],
        ["requêtes SQL par parcours (toutes sources)", f"{sum(sql.values()):.1f}", "-"],
        *[
            [
                f"latence de tous les événements, {key} (ms)",
                f"{_all(ours)[key]:.1f}",
                f"{_all(blank)[key]:.1f}",
            ]
            for key in ("p50", "p95", "p99")
        ],
        [
            "parcours terminés / erreurs",
            f"{ours['completed']} / {len(ours['errors'])}",
            f"{blank['completed']} / {len(blank['errors'])}",
        ],
        ["demandes/affaires", _lost(ours), "-"],
        ["charge machine (1 min)", f"{ours['load_average']:.2f}", f"{blank['load_average']:.2f}"],
    ]
    tables = [
        {
            "caption": f"Coût d'un parcours, N = {cost['level']} parcours démarrés en 10 s (une exécution)",
            "columns": ["mesure", "app", "app vide"],
            "rows": rows,
        }
    ]
    if cost.get("profile"):
        tables.append(
            {
                "caption": "Où va le CPU Python des workers web pendant cette exécution (py-spy --gil)",
                "columns": ["part", "où", "échantillons"],
                "rows": cost["profile"],
            }
        )
    budgets = [budget("CPU serveur par parcours", total, CPU_BUDGET_SECONDS, unit="s")]
    return tables, budgets


def _capacity_rows(label: str, found: dict[str, Any], step: float) -> list[list[Any]]:
    rows = []
    for item in found["steps"]:
        run = item["run"]
        rows.append(
            [
                label,
                f"{item['rate']:g}",
                run["completed"],
                f"{item['p95']:.1f}",
                f"{item['p99']:.1f}",
                len(run["errors"]),
                _lost(run),
                f"{run['server_cpu_seconds'] / run['generator_wall_seconds'] * 100:.0f}",
                f"{run['generator_cpu_seconds'] / run['generator_wall_seconds'] * 100:.0f}",
                f"{run['load_average']:.2f}",
                "oui" if item["held"] else "**non**",
            ]
        )
    return rows


def _steady_tables(steady: dict[str, Any]) -> tuple[list[dict], list[dict]]:
    minutes = steady["per_minute"]
    first = minutes[0]["p95"] if minutes else float("nan")
    tables = [
        {
            "caption": (
                f"Régime établi : {steady['rate']:g} parcours/s pendant {steady['seconds'] / 60:g} min "
                f"({steady['run']['completed']} parcours, {len(steady['run']['errors'])} erreurs, "
                f"demandes/affaires {_lost(steady['run'])}, charge {steady['run']['load_average']:.2f})"
            ),
            "columns": [
                "minute",
                "événements",
                "p50 (ms)",
                "p95 (ms)",
                "p99 (ms)",
                "p95 / p95 de la 1re minute",
            ],
            "rows": [
                [
                    m["minute"],
                    m["count"],
                    f"{m['p50']:.1f}",
                    f"{m['p95']:.1f}",
                    f"{m['p99']:.1f}",
                    f"{m['p95'] / first:.2f}",
                ]
                for m in minutes
            ],
        },
        {
            "caption": "Mémoire résidente de chaque processus du serveur, au début et à la fin",
            "columns": ["pid", "rôle", "début (Mio)", "fin (Mio)", "croissance"],
            "rows": [
                [
                    m["pid"],
                    m["role"],
                    f"{m['start_mib']:.1f}",
                    f"{m['end_mib']:.1f}",
                    f"{m['growth'] * 100:+.1f} %",
                ]
                for m in steady["memory"]
            ],
        },
    ]
    drift = max((m["p95"] / first - 1 for m in minutes), default=float("nan"))
    growth = max((m["growth"] for m in steady["memory"]), default=float("nan"))
    budgets = [
        budget(
            "régime établi : écart max du p95 d'une minute à celui de la 1re",
            drift * 100,
            STEADY_P95_DRIFT * 100,
            unit="%",
        ),
        budget(
            "régime établi : croissance max de la mémoire d'un processus",
            growth * 100,
            MEMORY_GROWTH * 100,
            unit="%",
        ),
        budget("régime établi : erreurs", len(steady["run"]["errors"]), 0),
    ]
    if steady["seconds"] < 600:
        budgets.append(
            budget(
                "régime établi : durée (10 min demandées)",
                steady["seconds"] / 60,
                10,
                at_most=False,
                unit="min",
            )
        )
    return tables, budgets


def _without_samples(value: Any) -> Any:
    """What is worth keeping in results.json: everything but the latency samples (first errors only)."""
    if isinstance(value, dict):
        return {
            key: (item[:10] if key == "errors" else _without_samples(item))
            for key, item in value.items()
            if key not in {"samples", "timeline"}
        }
    if isinstance(value, list):
        return [_without_samples(item) for item in value]
    return value


def report(measured: dict[str, Any]) -> dict[str, Any]:
    tables: list[dict] = []
    budgets: list[dict] = []
    if "cost" in measured:
        more_tables, more_budgets = _cost_tables(measured["cost"])
        tables += more_tables
        budgets += more_budgets
    if "capacity_ours" in measured:
        step = measured["step_seconds"]
        ours, blank = measured["capacity_ours"], measured["capacity_blank"]
        tables.append(
            {
                "caption": (
                    f"Capacité : parcours arrivant à débit constant, {step:g} s par palier ; tenu si le p95 "
                    f"de tous les événements reste ≤ {P95_LIMIT_MS:g} ms sans erreur"
                ),
                "columns": [
                    "app",
                    "parcours/s",
                    "parcours terminés",
                    "p95 (ms)",
                    "p99 (ms)",
                    "erreurs",
                    "demandes/affaires",
                    "CPU serveur %",
                    "CPU générateur %",
                    "charge (1 min)",
                    "tenu",
                ],
                "rows": _capacity_rows("app", ours, step) + _capacity_rows("vide", blank, step),
            }
        )
        ratio = ours["capacity"] / blank["capacity"] if blank["capacity"] else float("nan")
        last_blank = blank["steps"][-1]["held"] if blank["steps"] else False
        tables.append(
            {
                "caption": "Capacité (dernier palier tenu)",
                "columns": ["app", "capacité (parcours/s)", "capacité app / app vide"],
                "rows": [
                    ["app", f"{ours['capacity']:g}", f"{ratio:.2f}"],
                    [
                        "vide",
                        f"{blank['capacity']:g}"
                        + (" (au moins : dernier palier essayé)" if last_blank else ""),
                        "1",
                    ],
                ],
            }
        )
        measured["capacity_ratio"] = ratio
    if "steady" in measured:
        more_tables, more_budgets = _steady_tables(measured["steady"])
        tables += more_tables
        budgets += more_budgets
    intro = (
        "Les mêmes assurés simulés que la partie 2 (connexion, tableau de bord, sélection, deux choix, "
        "récapitulatif, confirmation, un clic toutes les ~1 s), l'app servie comme en production, l'app "
        "Reflex vide (un compteur, cliqué autant de fois qu'un parcours clique) pour référence dans la "
        "même exécution. Coût : CPU du serveur (processus web et worker) et requêtes SQL "
        "(`ameli_sql_statements_total` de `/metrics`) par parcours ; argon2 mesuré à part avec le hachage "
        "de l'app. Capacité : des parcours arrivent à débit constant, palier par palier, jusqu'à ce que "
        f"le p95 de tous les événements dépasse {P95_LIMIT_MS:g} ms. Régime établi : la moitié de cette "
        "capacité, le p95 minute par minute et la mémoire résidente de chaque processus. La machine "
        "(2 cœurs) est partagée avec d'autres travaux : sa charge est donnée."
    )
    raw = _without_samples(measured)
    return {
        "title": "8. Coût d'un parcours, capacité et régime établi",
        "intro": intro,
        "tables": tables,
        "budgets": budgets,
        "raw": raw,
    }
