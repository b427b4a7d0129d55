"""Part 3, worker throughput: 10,000 requests pre-inserted in the outbox, drained by the
real worker (2 processes) through the real app's Medialog+ API into PostgreSQL.

Baseline, in the same run and on the same Redis: a trivial Celery task drained by a
worker with the same settings. Then the closure path (notification + avis de dépôt to
a local SMTP sink), per affaire.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

from celery import Celery
from sqlalchemy import func, text
from sqlmodel import Session, col, select

from bench import _support
from bench.stats import budget, summary

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "10000"))
CLOSURES = int(os.environ.get("BENCH_CLOSURES", "300"))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
BATCH = int(os.environ.get("BENCH_BATCH", "50"))
DRAIN_TIMEOUT = float(os.environ.get("BENCH_DRAIN_TIMEOUT", "900"))
PROFILE_SECONDS = float(os.environ.get("BENCH_PROFILE_SECONDS", "0"))
BUDGET_RATE = 300.0
BUDGET_RATIO = 0.3


def _log(message: str) -> None:
    print(message, flush=True)


def _publish(client: Celery, queue: str, task: str, argument_lists: list[tuple]) -> float:
    """Send the tasks on one producer; returns the seconds it took."""
    started = time.perf_counter()
    with client.producer_or_acquire() as producer:
        for args in argument_lists:
            client.send_task(task, args=args, queue=queue, producer=producer)
    return time.perf_counter() - started


def baseline(broker: str) -> list[dict]:
    """Trivial tasks drained by a 2-process worker with the production settings."""
    queue = f"bench-trivial-{os.getpid()}"
    client = Celery("bench", broker=broker)
    results = []
    with _support.celery_worker(
        "bench._support:baseline_app", queue, _support.LOG_DIR / "baseline-worker.log", {"REDIS_URL": broker}
    ):
        # Warm-up: the worker is consuming once a first small batch is gone.
        _publish(client, queue, "bench.trivial", [(0,)] * 20)
        _support.wait_until(lambda: _support.queue_length(broker, queue) == 0, timeout=120)
        for run in range(RUNS):
            started = time.perf_counter()
            publish = _publish(client, queue, "bench.trivial", [(n,) for n in range(REQUESTS)])
            _support.wait_until(lambda: _support.queue_length(broker, queue) == 0, timeout=DRAIN_TIMEOUT)
            seconds = time.perf_counter() - started
            results.append({"seconds": seconds, "publish_seconds": publish, "rate": REQUESTS / seconds})
            _log(f"  tâche triviale, mesure {run + 1} : {REQUESTS / seconds:.0f}/s")
    _support.delete_queue(broker, queue)
    return results


def _affaires_done(engine, request_ids: list[int]) -> int:
    from rxapp.models import Affaire

    with Session(engine) as session:
        return session.exec(
            select(func.count())
            .select_from(Affaire)
            .where(col(Affaire.request_id) >= request_ids[0], col(Affaire.request_id) <= request_ids[-1])
        ).one()


def _check_outbox(engine, request_ids: list[int]) -> dict[str, int]:
    """After a drain: one affaire per request, every outbox row done, no relay from the app."""
    with engine.connect() as connection:
        row = connection.execute(
            text(
                "SELECT count(*) FILTER (WHERE o.done_at IS NULL), count(*) FILTER (WHERE o.attempts > 0),"
                " count(a.id), count(DISTINCT a.request_id)"
                " FROM affaire_outbox o LEFT JOIN affaire a ON a.request_id = o.request_id"
                " WHERE o.request_id BETWEEN :low AND :high"
            ),
            {"low": request_ids[0], "high": request_ids[-1]},
        ).one()
    return {"not_done": row[0], "relayed": row[1], "affaires": row[2], "distinct": row[3]}


def _has_batch_task() -> bool:
    from backoffice_worker import tasks

    return hasattr(tasks, "create_affaires")


@contextmanager
def _profiled(pids: list[int], name: str) -> Iterator[None]:
    """py-spy over `pids` for BENCH_PROFILE_SECONDS (collapsed stacks under var/bench/)."""
    spy = shutil.which("py-spy")
    if not PROFILE_SECONDS or spy is None:
        yield
        return
    processes = []
    for pid in pids:
        out = _support.ROOT / "var" / "bench" / f"profile-worker-{name}-{pid}.txt"
        processes.append(
            subprocess.Popen(
                [
                    spy,
                    "record",
                    "--pid",
                    str(pid),
                    "--subprocesses",
                    "--duration",
                    str(int(PROFILE_SECONDS)),
                    "--format",
                    "raw",
                    "--output",
                    str(out),
                    "--nonblocking",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
    try:
        yield
    finally:
        for process in processes:
            process.wait()


def drain(engine, worker, mode: str, request_ids: list[int], pids: list[int]) -> dict:
    """Queue the pre-inserted requests (one task each, or batches) and time until every affaire exists."""
    client = worker.client()
    if mode == "lots":
        batches = [request_ids[i : i + BATCH] for i in range(0, len(request_ids), BATCH)]
        arguments, task = [(batch,) for batch in batches], "backoffice.create_affaires"
    else:
        arguments, task = [(request_id,) for request_id in request_ids], "backoffice.create_affaire"
    started = time.perf_counter()
    with _profiled(pids, mode):
        publish = _publish(client, worker.queue, task, arguments)
        _support.wait_until(
            lambda: _affaires_done(engine, request_ids) >= len(request_ids),
            timeout=DRAIN_TIMEOUT,
            interval=0.1,
        )
    seconds = time.perf_counter() - started
    check = _check_outbox(engine, request_ids)
    return {
        "mode": mode,
        "seconds": seconds,
        "publish_seconds": publish,
        "rate": len(request_ids) / seconds,
        **check,
    }


def closures(engine, worker, inbox, request_ids: list[int]) -> dict:
    """Close CLOSURES affaires as an agent would, then time the notification + email of each."""
    from rxapp.models import Affaire
    from rxapp.services import medialog

    with Session(engine) as session:
        affaire_ids = list(
            session.exec(
                select(Affaire.id)
                .where(col(Affaire.request_id).in_(request_ids[:CLOSURES]))
                .order_by(col(Affaire.id))
            ).all()
        )
        for affaire_id in affaire_ids:
            medialog.take_charge(session=session, agent_id=None, affaire_id=affaire_id)
            medialog.update_progres(session=session, agent_id=None, affaire_id=affaire_id)
            medialog.close_affaire(session=session, agent_id=None, affaire_id=affaire_id)
        session.commit()
    received = len(inbox.messages)

    def delivered() -> bool:
        with Session(engine) as session:
            pending = session.exec(
                select(func.count())
                .select_from(Affaire)
                .where(col(Affaire.id).in_(affaire_ids), col(Affaire.avis_sent_at).is_(None))
            ).one()
        return pending == 0 and len(inbox.messages) - received >= len(affaire_ids)

    started = time.perf_counter()
    _publish(worker.client(), worker.queue, "backoffice.deliver_closure", [(a,) for a in affaire_ids])
    _support.wait_until(delivered, timeout=DRAIN_TIMEOUT, interval=0.1)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "count": len(affaire_ids),
        "per_affaire_ms": seconds * 1000 / len(affaire_ids),
        "rate": len(affaire_ids) / seconds,
        "emails": len(inbox.messages) - received,
    }


def run() -> dict:
    from rxapp.db import make_engine
    from rxapp.services.demo import DEMO_CODE
    from rxapp.services.security import hash_secret
    from tests.support.databases import scratch_database
    from tests.support.processes import running_app
    from tests.support.smtp import smtp_server
    from tests.support.worker import broker_url_for_tests, running_worker

    broker = broker_url_for_tests()
    load_before = os.getloadavg()[0]
    _log(f"Référence : {REQUESTS} tâches triviales…")
    trivial = baseline(broker)
    modes = ["unitaire", "lots"] if _has_batch_task() else ["unitaire"]
    drains: dict[str, list[dict]] = {mode: [] for mode in modes}
    closure_runs: list[dict] = []
    with scratch_database("bench_worker") as database_url, smtp_server() as (smtp_url, inbox):
        overrides = {
            "DATABASE_URL": database_url,
            "REDIS_URL": broker,
            "CELERY_QUEUE": f"bench-app-{os.getpid()}",
            "WORKER_CONCURRENCY": "1",
            "SMTP_URL": smtp_url,
            "REFLEX_WEB_WORKDIR": _support.WEB_WORKDIR,
        }
        _log("Application (Medialog+) et worker…")
        with running_app(overrides, _support.LOG_DIR / "worker-app.log") as app:
            engine = make_engine(database_url)
            code_hash = hash_secret(DEMO_CODE)
            extra = {"MEDIALOG_API_URL": f"{app.url}/api/medialog", "SMTP_URL": smtp_url}
            with running_worker(database_url, _support.LOG_DIR / "worker.log", extra_env=extra) as worker:
                pids = [app.process.pid, worker.process.pid]
                first = 1
                for run_number in range(RUNS):
                    for mode in modes:
                        population = _support.populate(
                            engine,
                            first=first,
                            insured=REQUESTS,
                            requests=REQUESTS,
                            affaires=False,
                            code_hash=code_hash,
                            log=lambda _line: None,
                        )
                        first += REQUESTS
                        _support.vacuum_analyze(engine)
                        result = drain(
                            engine, worker, mode, population.request_ids, pids if run_number == 0 else []
                        )
                        drains[mode].append(result)
                        _log(
                            f"  {mode}, mesure {run_number + 1} : {result['rate']:.0f} affaires/s "
                            f"({result['affaires']} affaires, {result['relayed']} relancées par le relais)"
                        )
                    closure_runs.append(closures(engine, worker, inbox, population.request_ids))
                    _log(
                        f"  clôtures, mesure {run_number + 1} : {closure_runs[-1]['per_affaire_ms']:.1f} ms/affaire"
                    )
            engine.dispose()
    load_after = os.getloadavg()[0]
    trivial_rate = summary([r["rate"] for r in trivial])
    rows = [
        [
            "tâche triviale (référence)",
            f"{trivial_rate['median']:.0f}",
            f"{trivial_rate['spread']:.0f}",
            "—",
            len(trivial),
        ]
    ]
    best_mode, best_rate = modes[0], 0.0
    for mode, results in drains.items():
        rate = summary([r["rate"] for r in results])
        rows.append(
            [
                f"affaires, tâches « {mode} »" + (f" ({BATCH} par tâche)" if mode == "lots" else ""),
                f"{rate['median']:.0f}",
                f"{rate['spread']:.0f}",
                f"{rate['median'] / trivial_rate['median']:.2f}",
                len(results),
            ]
        )
        if rate["median"] > best_rate:
            best_mode, best_rate = mode, rate["median"]
    closure = summary([r["per_affaire_ms"] for r in closure_runs])
    closure_rate = summary([r["rate"] for r in closure_runs])
    failures = sum(
        r["affaires"] != REQUESTS or r["distinct"] != REQUESTS or r["not_done"]
        for rs in drains.values()
        for r in rs
    )
    intro = (
        f"{REQUESTS} demandes (avec ligne, accusé de réception et ligne d'outbox) insérées en SQL avant chaque "
        "mesure, puis mises en file par le bench : une tâche `create_affaire` par demande (le chemin actuel), "
        "ou des lots `create_affaires`. Le worker réel (`celery worker`, 2 processus, Redis "
        "`127.0.0.1:6379/0`, file unique) appelle l'API Medialog+ de l'application réelle (`rxapp.cli serve`, "
        "production, PostgreSQL de test) ; chrono du premier envoi jusqu'à ce que les "
        f"{REQUESTS} affaires existent. Référence : une tâche triviale, mêmes réglages Celery (acks tardifs, "
        "prefetch 1, JSON), même broker, 2 processus, chrono jusqu'à la file vide. Clôtures : "
        f"{CLOSURES} affaires clôturées puis `deliver_closure` (notification, demande traitée, avis de dépôt "
        "vers un serveur SMTP aiosmtpd local) jusqu'au dernier e-mail reçu. Charge moyenne de la machine : "
        f"{load_before:.0f} au début, {load_after:.0f} à la fin, pour {os.cpu_count()} cœurs."
    )
    return {
        "title": "3. Débit du worker",
        "intro": intro,
        "tables": [
            {
                "caption": "Débit (par seconde) : médiane des mesures et écart (max − min)",
                "columns": ["travail", "débit /s", "écart", "× référence", "mesures"],
                "rows": rows,
            },
            {
                "caption": "Clôture (notification + e-mail) par affaire",
                "columns": ["ms par affaire", "écart", "clôtures /s", "écart", "mesures"],
                "rows": [
                    [
                        f"{closure['median']:.1f}",
                        f"{closure['spread']:.1f}",
                        f"{closure_rate['median']:.0f}",
                        f"{closure_rate['spread']:.0f}",
                        len(closure_runs),
                    ]
                ],
            },
        ],
        "budgets": [
            budget(
                f"affaires/s (meilleur chemin : {best_mode})",
                best_rate,
                BUDGET_RATE,
                at_most=False,
                unit="/s",
            ),
            budget(
                "affaires/s ÷ tâches triviales/s",
                best_rate / trivial_rate["median"],
                BUDGET_RATIO,
                at_most=False,
            ),
            budget("affaires perdues ou en double, outbox non soldée", failures, 0),
        ],
        "raw": {
            "trivial": trivial,
            "drains": drains,
            "closures": closure_runs,
            "batch": BATCH,
            "load_average": [load_before, load_after],
        },
    }
