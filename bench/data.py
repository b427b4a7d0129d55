"""Part 4, scale of the data: 1 million insured persons and 100,000 open affaires.

Server time of the login event, the dashboard load and the admin queue page (the
service calls their handlers make, each in its own transaction as the states do),
the EXPLAIN of every statement they issue, and the number of statements per call
at demo size and at full size.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from bench import _support
from bench.stats import budget, latency_summary, summary

INSURED = int(os.environ.get("BENCH_INSURED", "1000000"))
AFFAIRES = int(os.environ.get("BENCH_AFFAIRES", "100000"))
CALLS = int(os.environ.get("BENCH_CALLS", "200"))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
BUDGET_MS = 20.0
DATABASE = "ameli_bench"
SCENARIOS = ("connexion", "tableau de bord", "file des affaires")


def _log(message: str) -> None:
    print(message, flush=True)


def _database_url(name: str) -> str:
    from tests.support.databases import base_database_url

    return make_url(base_database_url()).set(database=name).render_as_string(hide_password=False)


def _recreate(name: str) -> str:
    """Drop and create database `name`, migrate it with Alembic, load the demo."""
    from rxapp.db import make_engine
    from tests.support.databases import base_database_url, migrate_and_seed

    admin = make_engine(base_database_url()).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = _database_url(name)
    migrate_and_seed(url)
    return url


def _exists(name: str) -> bool:
    from rxapp.db import make_engine
    from tests.support.databases import base_database_url

    engine = make_engine(base_database_url())
    with engine.connect() as connection:
        found = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
    engine.dispose()
    return found is not None


def _refresh_code_hashes(engine) -> None:
    """Give every account a hash made with the current argon2 parameters (else each first
    login would also pay for the rehash)."""
    code_hash = _code_hash()
    parameters = code_hash[: code_hash.rindex("$", 0, code_hash.rindex("$"))]
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE account SET code_hash = :hash WHERE code_hash NOT LIKE :parameters"),
            {"hash": code_hash, "parameters": parameters + "$%"},
        )


def _code_hash() -> str:
    from rxapp.services.demo import DEMO_CODE
    from rxapp.services.security import hash_secret

    return hash_secret(DEMO_CODE)


def build(name: str, insured: int, affaires: int) -> tuple[str, float]:
    """The benchmark database: demo + generated population, analysed. Returns (url, seconds).

    With BENCH_REUSE=1 an existing database is only migrated and analysed again
    (to measure a new index on the same data).
    """
    from rxapp.db import make_engine
    from tests.support.databases import upgrade_to_head

    started = time.perf_counter()
    if os.environ.get("BENCH_REUSE") == "1" and _exists(name):
        url = _database_url(name)
        upgrade_to_head(url)
        engine = make_engine(url)
        _refresh_code_hashes(engine)
        _support.vacuum_analyze(engine)
        engine.dispose()
        return url, time.perf_counter() - started
    url = _recreate(name)
    engine = make_engine(url)
    _support.populate(
        engine, first=1, insured=insured, requests=affaires, affaires=True, code_hash=_code_hash(), log=_log
    )
    _support.vacuum_analyze(engine)
    engine.dispose()
    return url, time.perf_counter() - started


# --- the three page loads ----------------------------------------------------------------------


@dataclass
class HashClock:
    """Time spent in argon2 during a login: deliberate, reported apart from the database."""

    seconds: float = 0.0

    def __enter__(self) -> HashClock:
        from rxapp.services import auth

        # verify_secret, and rehashed (a new hash when the parameters changed) where it exists.
        self._originals = {
            name: getattr(auth, name) for name in ("verify_secret", "rehashed") if hasattr(auth, name)
        }
        for name, original in self._originals.items():
            setattr(auth, name, self._timed(original))
        return self

    def _timed(self, function: Callable) -> Callable:
        def timed(*args: object) -> object:
            started = time.perf_counter()
            try:
                return function(*args)
            finally:
                self.seconds += time.perf_counter() - started

        return timed

    def __exit__(self, *exc: object) -> None:
        from rxapp.services import auth

        for name, original in self._originals.items():
            setattr(auth, name, original)


def _login(engine, nir: str, client_ip: str) -> str:
    from rxapp.services import auth
    from rxapp.services.demo import DEMO_CODE

    with Session(engine, expire_on_commit=False) as session:
        opened = auth.login_insured(session=session, nir=nir, code=DEMO_CODE, client_ip=client_ip)
        session.commit()
    return opened.session_id


def _dashboard(engine, session_id: str) -> None:
    from rxapp.services.account import dashboard_for

    with Session(engine, expire_on_commit=False) as session:
        if dashboard_for(session=session, session_id=session_id) is None:
            raise RuntimeError("session morte")
        session.commit()


def _queue(engine, agent_session: str, status: str, page: int) -> None:
    """The admin queue page: the agent's session checked, then the page read (two transactions)."""
    from rxapp.services import auth, medialog

    with Session(engine, expire_on_commit=False) as session:
        agent = auth.agent_for_session(session=session, session_id=agent_session)
        session.commit()
    if agent is None or agent.id is None:
        raise RuntimeError("session d'agent morte")
    with Session(engine, expire_on_commit=False) as session:
        medialog.affaire_queue(session=session, agent_id=agent.id, status=status, page=page)
        session.commit()


def _agent_sessions(engine) -> list[str]:
    from rxapp.services import auth
    from rxapp.services.demo import AGENT_PASSWORD, AGENTS

    ids = []
    for login, _, _ in AGENTS:
        with Session(engine) as session:
            ids.append(auth.login_agent(session=session, login=login, password=AGENT_PASSWORD).session_id)
            session.commit()
    return ids


@dataclass
class Calls:
    """One call of each scenario, with its arguments drawn for a run."""

    login: Callable[[], str]
    dashboard: Callable[[], None]
    queue: Callable[[], None]


def _calls(engine, insured: int, agent_sessions: list[str], rng: random.Random) -> tuple[Calls, list[str]]:
    sessions: list[str] = []

    def login() -> str:
        number = rng.randint(1, insured)
        session_id = _login(engine, f"{_support.NIR_PREFIX}{number:08d}", f"10.1.{rng.randint(0, 255)}.1")
        sessions.append(session_id)
        return session_id

    def dashboard() -> None:
        _dashboard(engine, rng.choice(sessions))

    def queue() -> None:
        _queue(engine, rng.choice(agent_sessions), rng.choice(["nouvelle", "en_cours"]), rng.randint(1, 50))

    return Calls(login, dashboard, queue), sessions


def measure(url: str, insured: int) -> dict:
    """RUNS runs of CALLS calls of each scenario; per-run percentiles, in ms."""
    from rxapp.db import make_engine

    engine = make_engine(url)
    rng = random.Random(2026)
    agent_sessions = _agent_sessions(engine)
    calls, _ = _calls(engine, insured, agent_sessions, rng)
    # Warm-up, not measured: imports, connection pool, first argon2 hash.
    calls.login()
    calls.dashboard()
    calls.queue()
    runs: dict[str, list[dict]] = {
        "connexion": [],
        "connexion (base)": [],
        "argon2": [],
        "tableau de bord": [],
        "file des affaires": [],
    }
    for run in range(RUNS):
        total, database, hashing = [], [], []
        for _ in range(CALLS):
            with HashClock() as clock:
                started = time.perf_counter()
                calls.login()
                elapsed = time.perf_counter() - started
            total.append(elapsed * 1000)
            hashing.append(clock.seconds * 1000)
            database.append((elapsed - clock.seconds) * 1000)
        runs["connexion"].append(latency_summary(total))
        runs["connexion (base)"].append(latency_summary(database))
        runs["argon2"].append(latency_summary(hashing))
        for name, call in (("tableau de bord", calls.dashboard), ("file des affaires", calls.queue)):
            samples = []
            for _ in range(CALLS):
                started = time.perf_counter()
                call()
                samples.append((time.perf_counter() - started) * 1000)
            runs[name].append(latency_summary(samples))
        _log(
            f"  mesure {run + 1}/{RUNS} : "
            + ", ".join(f"{k} p95 {v[-1]['p95']:.1f} ms" for k, v in runs.items())
        )
    engine.dispose()
    return runs


def statements(url: str, *, explain: bool) -> dict[str, dict]:
    """The statements of one call of each scenario (generated person no. 1, who has a request)."""
    from rxapp.db import make_engine

    engine = make_engine(url)
    sizes = _support.table_sizes(engine) if explain else {}
    agent_sessions = _agent_sessions(engine)
    result: dict[str, dict] = {}
    with _support.capture_sql(engine) as captured:
        scenarios: list[tuple[str, Callable[[], object]]] = [
            ("connexion", lambda: _login(engine, f"{_support.NIR_PREFIX}{1:08d}", "10.2.0.1")),
        ]
        session_holder: list[str] = []
        for name, call in scenarios:
            captured.statements.clear()
            captured.enabled = True
            session_holder.append(str(call()))
            captured.enabled = False
            result[name] = {"statements": list(captured.statements)}
        for name, call in (
            ("tableau de bord", lambda: _dashboard(engine, session_holder[0])),
            ("file des affaires", lambda: _queue(engine, agent_sessions[0], "nouvelle", 3)),
        ):
            captured.statements.clear()
            captured.enabled = True
            call()
            captured.enabled = False
            result[name] = {"statements": list(captured.statements)}
    for entry in result.values():
        entry["count"] = len(entry["statements"])
        if explain:
            entry["plans"] = [
                _support.explain(engine, statement, parameters, sizes)
                for statement, parameters in entry["statements"]
            ]
    engine.dispose()
    return result


def _profile(url: str, insured: int) -> dict[str, str]:
    """pyinstrument over 50 calls of each scenario (text output), when installed."""
    try:
        from pyinstrument import Profiler
    except ImportError:
        return {}
    os.environ.setdefault("PYINSTRUMENT_IGNORE_OVERHEAD_WARNING", "1")
    from rxapp.db import make_engine

    engine = make_engine(url)
    calls, _ = _calls(engine, insured, _agent_sessions(engine), random.Random(7))
    calls.login()
    profiles = {}
    for name, call in (
        ("connexion", calls.login),
        ("tableau de bord", calls.dashboard),
        ("file des affaires", calls.queue),
    ):
        profiler = Profiler(interval=0.0005)
        profiler.start()
        for _ in range(50):
            call()
        profiler.stop()
        profiles[name] = profiler.output_text(unicode=True, color=False, show_all=False)
        path = _support.ROOT / "var" / "bench" / f"profile-data-{name.replace(' ', '-')}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(profiles[name])
    engine.dispose()
    return profiles


def run() -> dict:
    _log(f"Base {DATABASE} : {INSURED} assurés, {AFFAIRES} affaires ouvertes…")
    reused = os.environ.get("BENCH_REUSE") == "1" and _exists(DATABASE)
    url, build_seconds = build(DATABASE, INSURED, AFFAIRES)
    _log(f"  construite en {build_seconds:.0f} s")
    small_url, _ = build(f"{DATABASE}_small", 30, 10)
    from rxapp.db import make_engine

    engine = make_engine(url)
    sizes = _support.table_sizes(engine)
    engine.dispose()
    load_before = os.getloadavg()[0]
    runs = measure(url, INSURED)
    load_after = os.getloadavg()[0]
    big = statements(url, explain=True)
    small = statements(small_url, explain=False)
    profiles = _profile(url, INSURED)

    rows = []
    for name, per_run in runs.items():
        p50 = summary([r["p50"] for r in per_run])
        p95 = summary([r["p95"] for r in per_run])
        rows.append(
            [
                name,
                f"{p50['median']:.2f}",
                f"{p50['spread']:.2f}",
                f"{p95['median']:.2f}",
                f"{p95['spread']:.2f}",
                per_run[0]["count"],
                len(per_run),
            ]
        )
    count_rows = [
        [
            name,
            small[name]["count"],
            big[name]["count"],
            "oui" if small[name]["count"] == big[name]["count"] else "**non**",
            f"{sum(plan.execution_ms for plan in big[name]['plans']):.2f}",
        ]
        for name in SCENARIOS
    ]
    plan_rows = []
    seq_scans: list[str] = []
    for name in SCENARIOS:
        for plan in big[name]["plans"]:
            plan_rows.append(
                [
                    name,
                    _support.short_sql(plan.statement),
                    "; ".join(plan.scans) or "—",
                    f"{plan.execution_ms:.2f}",
                ]
            )
            seq_scans += [f"{name} : {table}" for table in plan.seq_scans_on_big_tables]

    def p95_of(name: str) -> float:
        return summary([r["p95"] for r in runs[name]])["median"]

    budgets = [
        budget(
            "connexion, p95 hors argon2 (base de données)", p95_of("connexion (base)"), BUDGET_MS, unit="ms"
        ),
        budget("connexion, p95 total (argon2 compris)", p95_of("connexion"), BUDGET_MS, unit="ms"),
        budget("tableau de bord, p95", p95_of("tableau de bord"), BUDGET_MS, unit="ms"),
        budget(
            "file des affaires (filtrée, paginée), p95", p95_of("file des affaires"), BUDGET_MS, unit="ms"
        ),
        budget("parcours séquentiels sur une grande table (≥ 10 000 lignes)", len(seq_scans), 0),
        budget(
            "pages dont le nombre de requêtes change avec les données",
            sum(1 for row in count_rows if row[3] != "oui"),
            0,
        ),
    ]
    intro = (
        (
            f"Base PostgreSQL `{DATABASE}` "
            + (
                f"réutilisée (`BENCH_REUSE=1` : migrée et analysée de nouveau en {build_seconds:.0f} s) : "
                if reused
                else "recréée par le bench (Alembic, démo, puis génération en SQL `INSERT … SELECT "
                f"generate_series` en {build_seconds:.0f} s, puis `VACUUM ANALYZE`) : "
            )
            + f"{sizes.get('insured_person', 0):,} assurés, {sizes.get('beneficiary', 0):,} bénéficiaires, "
            f"{sizes.get('complementary_contract', 0):,} contrats, {sizes.get('payment', 0):,} paiements, "
            f"{sizes.get('affaire', 0):,} affaires ouvertes. Temps serveur = `time.perf_counter()` autour des "
            "appels de services que font les gestionnaires (chacun dans sa transaction, commit compris), "
            f"{CALLS} appels par mesure, {RUNS} mesures ; connexion : NIR tirés au hasard parmi le million, "
            "le temps d'argon2 est compté à part ; tableau de bord : sessions ouvertes par ces connexions ; "
            "file : agent de l'Ain, de Digne ou de Paris, filtre « nouvelle » ou « en cours », page 1 à 50. "
            "Chaque requête émise (capturée par `before_cursor_execute`) passe par `EXPLAIN (ANALYZE, BUFFERS)` ; "
            "plans complets dans `var/bench/results.json`, profils pyinstrument dans `var/bench/profile-data-*.txt`. "
            f"Charge moyenne de la machine pendant les mesures : {load_before:.0f} puis {load_after:.0f} "
            f"pour {os.cpu_count()} cœurs."
        )
        .replace(",", "\u202f")
        .replace("\u202f ", ", ")
    )
    return {
        "title": "4. Volume des données",
        "intro": intro,
        "tables": [
            {
                "caption": "Temps serveur (ms) : médiane des mesures et écart (max − min)",
                "columns": ["appel", "p50", "écart p50", "p95", "écart p95", "appels/mesure", "mesures"],
                "rows": rows,
            },
            {
                "caption": "Requêtes SQL par appel",
                "columns": [
                    "appel",
                    "démo (30 assurés)",
                    f"{INSURED:,} assurés".replace(",", "\u202f"),
                    "identique",
                    "exécution SQL (ms, somme des EXPLAIN ANALYZE)",
                ],
                "rows": count_rows,
            },
            {
                "caption": "EXPLAIN (ANALYZE) de chaque requête, à pleine taille",
                "columns": ["appel", "requête", "accès", "ms"],
                "rows": plan_rows,
            },
        ],
        "budgets": budgets,
        "raw": {
            "sizes": sizes,
            "build_seconds": build_seconds,
            "runs": runs,
            "seq_scans": seq_scans,
            "plans": {
                name: [{"sql": p.statement, "plan": p.text, "ms": p.execution_ms} for p in big[name]["plans"]]
                for name in SCENARIOS
            },
            "statement_counts": {
                name: {"small": small[name]["count"], "big": big[name]["count"]} for name in SCENARIOS
            },
            "profiles": profiles,
            "load_average": [load_before, load_after],
        },
    }
