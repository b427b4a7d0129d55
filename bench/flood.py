"""Part 5, a flood of events over the websocket (issue 15), and what it costs the others.

The production setup (`python -m rxapp.cli serve`: PostgreSQL, Redis, several backend
workers) behind a proxy it trusts (127.0.0.1). From one address, `FLOOD_SOCKETS` sockets
send `LoginState.setvar` of a var that does not exist (the issue's measurement: a public
handler, and the call fails) as fast as they can, a closed socket being replaced by a
new one, until stopped. Meanwhile a well-behaved tab from another address loads a page
(`FLOOD_SAMPLES` times) before, during and after the flood. The attacker runs in a
process of its own at the lowest CPU priority (`tests.support.flood`).

Environment: `FLOOD_SOCKETS` (8), `FLOOD_SAMPLES` (60).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path
from typing import Any

from bench.stats import budget

ROOT = Path(__file__).resolve().parent.parent
LOG_DIR = ROOT / "var" / "bench" / "flood"
SOCKETS = int(os.environ.get("FLOOD_SOCKETS", "8"))
SAMPLES = int(os.environ.get("FLOOD_SAMPLES", "200"))
ROUNDS = int(os.environ.get("FLOOD_ROUNDS", "2"))
SECURITY_BYTES_PER_CONNECTION = 10 * 1024


def run() -> dict[str, Any]:
    from tests.support.databases import base_database_url, scratch_database
    from tests.support.flood_scenario import measure_flood, milliseconds
    from tests.support.served import served_app

    LOG_DIR.mkdir(parents=True, exist_ok=True)
    security_log = Path(tempfile.mkdtemp(prefix="flood-security-")) / "security.jsonl"
    with (
        scratch_database("flood", base_database_url()) as database_url,
        served_app(
            "flood",
            database_url,
            log_path=LOG_DIR / "app.log",
            SECURITY_LOG=str(security_log),
            TRUSTED_PROXIES="127.0.0.1",
        ) as app,
    ):
        figures = asyncio.run(
            measure_flood(app, security_log, samples=SAMPLES, sockets=SOCKETS, rounds=ROUNDS)
        )
    flood = figures["flood"]
    output = figures["output_span"][1] - figures["output_span"][0]
    security = figures["security_span"][1] - figures["security_span"][0]
    victim = {when: milliseconds(figures[when]) for when in ("before", "during", "after")}
    connections = max(1, flood["opened"])
    print(
        f"flood: {flood}, processed {figures['processed']:.0f}, closed {figures['closed']:.0f}, log {output} + {security} B; tab {victim}, load {figures['load']}"
    )
    return {
        "title": "5. Inondation d'événements sur le websocket",
        "intro": (
            f"{SOCKETS} sockets d'une même adresse envoient `LoginState.setvar` (variable inexistante) "
            "aussi vite que possible ; un socket fermé par le serveur est remplacé, jusqu'à l'arrêt. "
            "Un onglet d'une autre adresse charge une page avant, pendant et après. Budgets : "
            "20 événements/s par connexion (rafales de 60), par adresse 60 sockets et 2 400 événements "
            "par minute (`rxapp/settings.py`). Au transport, avant engine.io : les trames au-delà de 20/s "
            "(rafales de 80) sont jetées sans être lues, le socket fermé à la 60e ; une adresse dont 3 "
            "sockets ont été ainsi fermés en une minute voit ses nouveaux sockets refusés pendant 60 s "
            "(`rxapp/abuse/transport.py`). « sortie » et « journal sécu » : ce que l'inondation a écrit."
        ),
        "tables": [
            {
                "caption": "L'inondation",
                "columns": [
                    "envoyés",
                    "traités",
                    "sockets ouverts",
                    "fermés ou refusés (serveur)",
                    "sortie (o)",
                    "journal sécu (o)",
                ],
                "rows": [
                    [
                        flood["sent"],
                        round(figures["processed"]),
                        flood["opened"],
                        round(figures["closed"]),
                        output,
                        security,
                    ]
                ],
            },
            {
                "caption": (
                    f"L'onglet bien élevé : chargement de page (ms), {SAMPLES} par phase, "
                    f"en {ROUNDS} tours avant / pendant / après entrelacés"
                ),
                "columns": ["", "n", "p50", "p95", "charge moyenne (1 min)"],
                "rows": [
                    [when, len(figures[when]), v["p50"], v["p95"], round(figures["load"][when], 2)]
                    for when, v in victim.items()
                ],
            },
        ],
        "budgets": [
            budget(
                "journal de sécurité par connexion",
                security / connections,
                SECURITY_BYTES_PER_CONNECTION,
                unit="o",
            ),
            budget(
                "p95 de l'onglet pendant / avant",
                # The budget: the tab's p95 during the flood against its p95 before it.
                victim["during"]["p95"] / victim["before"]["p95"],
                2.0,
            ),
        ],
        "raw": {
            "flood": flood,
            "processed": figures["processed"],
            "closed": figures["closed"],
            "victim_ms": victim,
            "load": figures["load"],
            "after_over_before_p95": victim["after"]["p95"] / victim["before"]["p95"],
        },
    }
