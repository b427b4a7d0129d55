"""The websocket journeys through `make cluster`: Caddy in front of 1 then 2 web instances.

The same load generator and journeys as the websocket part (bench/websocket.py: log in,
choose, confirm, at a person's pace), at N = 200 by default, against the cluster of
`rxapp.commands.cluster` on a scratch database and a private Redis. Three configurations:

- 1 instance reached directly (no proxy): the reference for the proxy hop;
- 1 instance through Caddy: the cost of the hop;
- 2 instances through Caddy: the gain of a second instance.

Each instance runs one backend process (GRANIAN_WORKERS=1, as `make cluster` does) so that
"2 instances" means twice the backend processes. CPU per journey is the web instances' CPU
(process groups) over the run divided by the journeys completed; Caddy's is given apart.
"""

from __future__ import annotations

import os
import shutil
import socket
from typing import Any

from bench.stats import latency_summary, summary
from bench.websocket import (
    ALL_BUT_LOGIN,
    LOGIN,
    RAMP_SECONDS,
    ROOT,
    WARMUP_USERS,
    _check_requests,
    _process_tree_cpu,
    _run_load,
    _samples,
)

ADDRESS_BUDGETS = ("ADDRESS_SOCKETS_PER_MINUTE", "ADDRESS_EVENTS_PER_MINUTE", "ADDRESS_LOGINS_PER_MINUTE")
LOG_DIR = ROOT / "var" / "bench" / "cluster"
CONFIGURATIONS = (
    ("1 instance, sans proxy", 1, False),
    ("1 instance, par Caddy", 1, True),
    ("2 instances, par Caddy", 2, True),
)


def _free_block() -> int:
    for _ in range(200):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            base = sock.getsockname()[1]
        if base > 60000:
            continue
        try:
            for offset in (0, 1, 2, 11):
                with socket.socket() as probe:
                    probe.bind(("0.0.0.0", base + offset))
            return base
        except OSError:
            continue
    raise RuntimeError("aucun bloc de ports libre")


def _cpu(pids: list[int]) -> float:
    return sum(_process_tree_cpu(pid) for pid in pids)


def _measure(cluster: Any, spec: dict[str, Any], database_url: str, accounts: list[int]) -> dict[str, Any]:
    webs = [process.pid for name, process in cluster.processes.items() if name.startswith("web")]
    caddy = cluster.processes["caddy"].pid
    web_before, caddy_before = _cpu(webs), _process_tree_cpu(caddy)
    result = _run_load(spec, caddy)
    result["web_cpu_seconds"] = _cpu(webs) - web_before
    result["caddy_cpu_seconds"] = _process_tree_cpu(caddy) - caddy_before
    result["check"] = _check_requests(database_url, accounts)
    return result


def _row(label: str, runs: list[dict[str, Any]]) -> list[Any]:
    def median(values: list[float]) -> str:
        stats = summary(values)
        return (
            f"{stats['median']:.1f}"
            if stats["runs"] == 1
            else f"{stats['median']:.1f} ± {stats['spread']:.1f}"
        )

    p95 = [latency_summary(_samples(run, ALL_BUT_LOGIN))["p95"] for run in runs]
    login = [latency_summary(_samples(run, LOGIN))["p95"] for run in runs]
    per_journey = [1000 * run["web_cpu_seconds"] / max(1, run["completed"]) for run in runs]
    caddy = [1000 * run["caddy_cpu_seconds"] / max(1, run["completed"]) for run in runs]
    completed = sum(run["completed"] for run in runs)
    errors = sum(len(run["errors"]) for run in runs)
    lost = sum(run["check"]["expected"] - run["check"]["affaires"] for run in runs)
    return [
        label,
        median(p95),
        median(login),
        median(per_journey),
        median(caddy),
        f"{completed}",
        errors,
        lost,
        median([run["load_average"] for run in runs]),
    ]


def run() -> dict[str, Any]:
    from rxapp.commands.cluster import Cluster, plan_cluster
    from rxapp.settings import Settings
    from tests.support.databases import base_database_url, scratch_database
    from tests.support.population import POPULATION_CODE, commit_population
    from tests.support.redis_server import redis_server

    users = int(os.environ.get("CLUSTER_BENCH_USERS", "200"))
    runs = int(os.environ.get("CLUSTER_BENCH_RUNS", "3"))
    pace = float(os.environ.get("WSBENCH_PACE", "1.0"))
    shutil.rmtree(LOG_DIR, ignore_errors=True)
    settings_names = {name.upper() for name in Settings.model_fields}
    measured: dict[str, list[dict[str, Any]]] = {}
    port = _free_block()
    with redis_server() as redis, scratch_database("clusterbench", base_database_url()) as database_url:
        environ = {key: value for key, value in os.environ.items() if key.upper() not in settings_names}
        environ |= {"CLUSTER_PORT": str(port), "DATABASE_URL": database_url, "REDIS_URL": redis.url(0)}
        # The PostgreSQL server may be shared: at most 2 x 6 (web) + 6 (worker) connections.
        environ |= {"DB_POOL_SIZE": "2", "DB_MAX_OVERFLOW": "4", "WORKER_CONCURRENCY": "1"}
        # 200 people from one machine: the per-address budgets would refuse them (each has its own
        # address in real life); the per-connection budgets stay.
        environ |= {name: "1000000" for name in ADDRESS_BUDGETS}
        exported = False
        population = None
        for webs in (1, 2):
            plan = plan_cluster(environ, webs=webs, workers=1, demo=False)
            plan.log_dir = LOG_DIR / f"{webs}-web"
            cluster = Cluster(plan)
            try:
                cluster.prepare(export=not exported)
                exported = True
                if population is None:
                    count = len(CONFIGURATIONS) * (WARMUP_USERS + users * runs)
                    population = commit_population(database_url=database_url, count=count)
                    pool = list(zip(population.nirs, population.account_ids, strict=True))
                cluster.start()
                for label, count, proxied in CONFIGURATIONS:
                    if count != webs:
                        continue
                    url = plan.url if proxied else plan.web_url(0)

                    def spec(
                        batch: list[tuple[str, int]], ramp: float = RAMP_SECONDS, url: str = url
                    ) -> dict:
                        users_ = [nir for nir, _ in batch]
                        return {
                            "kind": "insured",
                            "url": url,
                            "code": POPULATION_CODE,
                            "users": users_,
                            "pace": pace,
                            "ramp": ramp,
                        }

                    warm, pool = pool[:WARMUP_USERS], pool[WARMUP_USERS:]
                    _run_load(spec(warm, 1.0), cluster.processes["caddy"].pid)
                    for index in range(runs):
                        batch, pool = pool[:users], pool[users:]
                        result = _measure(cluster, spec(batch), database_url, [a for _, a in batch])
                        measured.setdefault(label, []).append(result)
                        print(
                            f"{label} #{index + 1}: {result['completed']}/{users} parcours, "
                            f"{len(result['errors'])} erreurs, {result['check']}",
                            flush=True,
                        )
            finally:
                cluster.stop()
    return report(users, measured)


def _findings(measured: dict[str, list[dict[str, Any]]]) -> str:
    """The comparison in words: the proxy hop, then the second instance."""

    def median_of(label: str, value: Any) -> float | None:
        runs = measured.get(label)
        return summary([value(run) for run in runs])["median"] if runs else None

    def p95(run: dict[str, Any]) -> float:
        return latency_summary(_samples(run, ALL_BUT_LOGIN))["p95"]

    def cpu(run: dict[str, Any]) -> float:
        return 1000 * run["web_cpu_seconds"] / max(1, run["completed"])

    (direct, _, _), (one, _, _), (two, _, _) = CONFIGURATIONS
    parts = []
    if (a := median_of(direct, p95)) is not None and (b := median_of(one, p95)) is not None:
        parts.append(f"Le passage par Caddy fait passer le p95 hors login de {a:.0f} à {b:.0f} ms.")
    if (b := median_of(one, p95)) is not None and (c := median_of(two, p95)) is not None:
        cpu_one, cpu_two = median_of(one, cpu), median_of(two, cpu)
        parts.append(
            f"Avec deux instances, le p95 passe de {b:.0f} à {c:.0f} ms, pour {cpu_one:.0f} puis "
            f"{cpu_two:.0f} ms de CPU web par parcours."
        )
    return " ".join(parts)


def report(users: int, measured: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    rows = [_row(label, runs) for label, runs in measured.items()]
    return {
        "title": "7. Le parcours websocket à travers `make cluster` (Caddy, 1 ou 2 instances)",
        "intro": (
            f"N = {users} parcours simultanés (ceux de la partie 2), sur le cluster de `make cluster` : "
            "une instance web = un processus backend (`GRANIAN_WORKERS=1`), l'état écrit dans Redis à chaque "
            "événement (`REFLEX_OPLOCK_ENABLED=0`), un worker, le beat. p95 en ms ; CPU en ms par parcours "
            "terminé (instances web ; Caddy à part). Les budgets par adresse sont levés : les 200 personnes "
            "simulées viennent toutes de 127.0.0.1. La machine a 2 cœurs, partagés pendant la mesure : "
            "une seconde instance ne peut pas doubler le débit ; quand d'autres travaux la chargent (dernière "
            "colonne), les écarts de p95 entre configurations suivent surtout cette charge, et le CPU par "
            "parcours est le chiffre stable. " + _findings(measured)
        ),
        "tables": [
            {
                "caption": f"N = {users}",
                "columns": [
                    "configuration",
                    "p95 hors login (ms)",
                    "p95 login (ms)",
                    "CPU web par parcours (ms)",
                    "CPU Caddy par parcours (ms)",
                    "parcours terminés",
                    "erreurs",
                    "affaires manquantes",
                    "charge moyenne (1 min)",
                ],
                "rows": rows,
            }
        ],
        "raw": {
            label: [
                {
                    key: run[key]
                    for key in ("seconds", "completed", "web_cpu_seconds", "caddy_cpu_seconds", "check")
                }
                | {"errors": run["errors"][:10], "load_average": run["load_average"]}
                for run in runs
            ]
            for label, runs in measured.items()
        },
    }
