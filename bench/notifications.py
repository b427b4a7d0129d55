"""`make bench` part 6: live notifications, pushed by the closure to the open dashboards.

N insured persons (200 by default) log in and stay on their dashboard, idle, each on its
own websocket (`tests.support.reflex_socket`). The app runs as in production
(`python -m rxapp.cli serve`: Redis, PostgreSQL, the Celery worker). Two figures:

- **SQL of idle dashboards**: the statements the app's event handlers sent during a quiet
  window of NOTIFYBENCH_WINDOW seconds (60 by default), read from the app's own counter
  `ameli_sql_statements_total{source="events"}` on `/metrics`, per minute; the statements
  of any other source (the metrics scrape itself) are given apart. With the former polling
  (every 3 s, per dashboard) this figure was measured by the same harness, with the former
  `rxapp/state/dashboard.py` put back for the run (`NOTIFYBENCH_LABEL=avant`).
- **Closure → dashboard**: for K of those accounts (NOTIFYBENCH_CLOSURES, 10), an affaire is
  closed and its `deliver_closure` task sent to the real worker, one at a time; the latency
  runs from the moment the worker wrote the notification (`affaire.notified_at`, just before
  its commit) to the update of that account's dashboard carrying it; also from the task's send.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import time
from datetime import UTC
from pathlib import Path
from typing import Any

import httpx

from bench.stats import budget, latency_summary

ROOT = Path(__file__).resolve().parent.parent
LOG_DIR = ROOT / "var" / "bench" / "notifications"
REDIS_BROKER_DB = 8
# The former polling, measured once with its dashboard put back (NOTIFYBENCH_LABEL=avant).
BEFORE = "avant"
BEFORE_FILE = LOG_DIR / "avant.json"
WEB_WORKDIR = "/tmp/web-notifybench"
LOGIN_CONCURRENCY = 5
EVENT_TIMEOUT = 180.0
SQL = re.compile(r'^ameli_sql_statements_total\{source="(\w+)"\} ([0-9.e+]+)$', re.MULTILINE)


def _statements(url: str) -> dict[str, float]:
    text = httpx.get(f"{url}/metrics", timeout=30).text
    return {source: float(value) for source, value in SQL.findall(text)}


async def _open_dashboards(url: str, nirs: list[str], code: str) -> list[Any]:
    from rxapp.state.auth import AuthState
    from rxapp.state.dashboard import DashboardState
    from rxapp.state.login import LoginState
    from tests.support.reflex_socket import ReflexTab, event_name, filled, state_path

    gate = asyncio.Semaphore(LOGIN_CONCURRENCY)
    dashboard = state_path(DashboardState)

    async def one(nir: str) -> Any:
        async with gate:
            tab = ReflexTab(url)
            await tab.connect("/", settle=0.5, timeout=EVENT_TIMEOUT)
            await tab.send(
                event_name(LoginState, "submit"),
                {"form_data": {"nir": nir, "code": code}},
                until=filled(state_path(AuthState), "page_load"),
                timeout=EVENT_TIMEOUT,
            )
            if not tab.page_loads:
                raise RuntimeError(f"connexion refusée : {tab.errors[-3:]} {tab.received[-3:]}")
            await tab.follow_page_load(settle=0, timeout=EVENT_TIMEOUT)
            shown = await tab.wait_for(filled(dashboard, "display_name"), timeout=EVENT_TIMEOUT)
            if shown is None:
                raise RuntimeError(f"tableau de bord non chargé : {tab.errors[-3:]}")
            tab.nir = nir
            return tab

    async def tolerant(nir: str) -> Any:
        try:
            return await one(nir)
        except (RuntimeError, TimeoutError, OSError, AssertionError) as error:
            print(f"tableau de bord non ouvert : {error}", flush=True)
            return None

    # On a shared machine a login may fail (a database error under load): measure the others.
    return [tab for tab in await asyncio.gather(*(tolerant(nir) for nir in nirs)) if tab is not None]


def _unread_of(update: dict[str, Any]) -> int | None:
    from rxapp.state.dashboard import DashboardState
    from tests.support.reflex_socket import state_path

    return (
        (update.get("delta") or {}).get(state_path(DashboardState), {}).get("unread_notifications_rx_state_")
    )


async def _closures(app: Any, database_url: str, tabs: list[Any], nirs: list[str]) -> dict[str, list[float]]:
    from celery import Celery
    from sqlmodel import Session

    from rxapp.db import make_engine
    from rxapp.models import Affaire
    from tests.support.affaires import closed_affaire_of

    engine = make_engine(database_url, pool_size=2, max_overflow=0)
    client = Celery("bench", broker=app.env["REDIS_URL"])
    from_commit: list[float] = []
    from_send: list[float] = []
    try:
        for tab, nir in zip(tabs, nirs, strict=True):
            with Session(engine) as session:
                affaire_id = closed_affaire_of(session, nir)
                session.commit()
            sent_wall, sent = time.time(), time.perf_counter()
            client.send_task("backoffice.deliver_closure", args=(affaire_id,), queue=app.env["CELERY_QUEUE"])
            arrived = await tab.wait_for(
                lambda update: (_unread_of(update) or 0) >= 1, after=sent, timeout=30
            )
            if arrived is None:
                raise RuntimeError(f"notification jamais arrivée : {tab.errors[-3:]}")
            arrived_wall = sent_wall + (arrived - sent)
            with Session(engine) as session:
                notified_at = session.get(Affaire, affaire_id).notified_at
            if notified_at is None:
                raise RuntimeError("affaire non notifiée")
            from_commit.append((arrived_wall - notified_at.replace(tzinfo=UTC).timestamp()) * 1000)
            from_send.append((arrived - sent) * 1000)
    finally:
        engine.dispose()
    return {"from_closure": from_commit, "from_send": from_send}


def run() -> dict[str, Any]:
    from tests.support.databases import base_database_url, scratch_database, upgrade_to_head
    from tests.support.population import commit_population
    from tests.support.processes import running_app

    dashboards = int(os.environ.get("NOTIFYBENCH_DASHBOARDS", "200"))
    window = float(os.environ.get("NOTIFYBENCH_WINDOW", "60"))
    closures = int(os.environ.get("NOTIFYBENCH_CLOSURES", "10"))
    label = os.environ.get("NOTIFYBENCH_LABEL", "après")
    redis_base = os.environ.get("NOTIFYBENCH_REDIS", "redis://127.0.0.1:6379")
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    with scratch_database("notifybench", base_database_url()) as database_url:
        upgrade_to_head(database_url)
        population = commit_population(database_url=database_url, count=dashboards)
        env = {
            "REFLEX_WEB_WORKDIR": WEB_WORKDIR,
            "DATABASE_URL": database_url,
            "REDIS_URL": f"{redis_base}/{REDIS_BROKER_DB}",
            "CELERY_QUEUE": f"notifybench-{os.getpid()}",
            # One load generator stands for N visitors: the per-address budgets would refuse it.
            "ADDRESS_SOCKETS_PER_MINUTE": "100000",
            "ADDRESS_EVENTS_PER_MINUTE": "1000000",
            "ADDRESS_LOGINS_PER_MINUTE": "100000",
        }
        with running_app(env, LOG_DIR / "app.log") as app:

            async def measure() -> dict[str, Any]:
                tabs = await _open_dashboards(app.url, population.nirs, population.code)
                print(f"{len(tabs)} tableaux de bord ouverts", flush=True)
                # The last on_load events still running would be counted: wait until every tab is idle.
                await asyncio.gather(*(tab.wait_idle(settle=2.0, timeout=EVENT_TIMEOUT) for tab in tabs))
                before = _statements(app.url)
                started = time.perf_counter()
                await asyncio.sleep(window)  # the quiet window measured
                after = _statements(app.url)
                updates = sum(1 for tab in tabs for item in tab.received if item.at > started)
                minutes = (time.perf_counter() - started) / 60
                idle = {
                    source: (after.get(source, 0.0) - before.get(source, 0.0)) / minutes
                    for source in set(before) | set(after)
                }
                latencies = (
                    await _closures(app, database_url, tabs[:closures], [tab.nir for tab in tabs[:closures]])
                    if label != BEFORE
                    else {}
                )
                for tab in tabs:
                    await tab.close()
                return {
                    "idle_per_minute": idle,
                    "updates_in_window": updates,
                    "open": len(tabs),
                    "latency_ms": latencies,
                }

            measured = asyncio.run(measure())
    measured.update(dashboards=dashboards, window=window, label=label)
    if label == BEFORE:
        BEFORE_FILE.write_text(json.dumps(measured))
    before = json.loads(BEFORE_FILE.read_text()) if BEFORE_FILE.exists() and label != BEFORE else None
    return report(measured, before=before)


INTRO = (
    f"{LOGIN_CONCURRENCY} par {LOGIN_CONCURRENCY}, N assurés (200) se connectent puis restent sur leur "
    "tableau de bord sans rien faire, chacun sur son websocket ; l'app tourne comme en production "
    "(Redis, PostgreSQL, le worker Celery). **SQL des tableaux de bord inactifs** : les instructions "
    "envoyées par les gestionnaires d'événements pendant 60 s de calme, lues sur le compteur de l'app "
    '(`ameli_sql_statements_total{source="events"}` de `/metrics`), par minute ; « autres » : le reste '
    "(la lecture de `/metrics` elle-même). La ligne « avant » est l'ancienne interrogation toutes les "
    "3 s, mesurée par le même harnais avec l'ancien `rxapp/state/dashboard.py` remis pour l'occasion "
    "(`NOTIFYBENCH_LABEL=avant`). **Clôture → tableau de bord** : pour 10 de ces comptes, une affaire "
    "est clôturée et sa tâche `deliver_closure` envoyée au vrai worker, une à la fois ; la latence va "
    "de l'écriture de la notification par le worker (`affaire.notified_at`, juste avant son commit) à "
    "la mise à jour du tableau de bord ouvert de ce compte qui la montre."
)


def _idle_row(measured: dict[str, Any]) -> list[Any]:
    idle = measured["idle_per_minute"]
    return [
        measured["label"],
        measured["open"],
        measured["window"],
        round(idle.get("events", 0.0)),
        round(idle.get("other", 0.0)),
        measured["updates_in_window"],
    ]


def report(measured: dict[str, Any], *, before: dict[str, Any] | None = None) -> dict[str, Any]:
    dashboards = measured["dashboards"]
    rows = [_idle_row(run) for run in (before, measured) if run is not None]
    events = rows[-1][3]
    tables = [
        {
            "caption": f"Instructions SQL par minute, {dashboards} tableaux de bord ouverts sans rien faire",
            "columns": [
                "version",
                "tableaux de bord ouverts",
                "fenêtre (s)",
                "SQL/min (événements)",
                "SQL/min (autres)",
                "mises à jour envoyées",
            ],
            "rows": rows,
        }
    ]
    budgets = [budget(f"{dashboards} tableaux de bord inactifs : SQL périodique par minute", events, 0)]
    latency = measured.get("latency_ms") or {}
    if latency:
        closure, send = latency_summary(latency["from_closure"]), latency_summary(latency["from_send"])
        tables.append(
            {
                "caption": "Clôture → tableau de bord ouvert (ms)",
                "columns": ["depuis", "n", "médiane", "p95", "max"],
                "rows": [
                    [
                        "l'écriture de la notification (worker)",
                        closure["count"],
                        closure["p50"],
                        closure["p95"],
                        closure["max"],
                    ],
                    [
                        "l'envoi de la tâche deliver_closure",
                        send["count"],
                        send["p50"],
                        send["p95"],
                        send["max"],
                    ],
                ],
            }
        )
        budgets.append(
            budget("notification affichée après la clôture (max)", closure["max"], 1000, unit="ms")
        )
    return {
        "title": "6. Notifications en direct, poussées par la clôture",
        "intro": INTRO,
        "tables": tables,
        "budgets": budgets,
        "raw": measured,
    }


if __name__ == "__main__":
    from bench.report import save_part

    print(save_part("notifications", run()))
