"""`make bench` part 2: event latency under load over Reflex's real websocket.

N simulated insured persons speak the frontend's protocol (`tests.support.reflex_socket`):
each one opens the login page, logs in, lands on the dashboard, opens the selection,
chooses an OC for each beneficiary, goes to the recap and confirms, one click about every
second; the on_load events a redirect triggers go out at once, as the browser sends them.
A latency is the time from sending an event to the first update carrying what that event
changes (for a navigation: from the page's `on_load_internal` to its data). The app runs
as in production (`python -m rxapp.cli serve`: Redis state manager, PostgreSQL, the Celery
worker); afterwards each run's accounts must hold exactly N requests and N affaires.

The baseline is a blank Reflex app (one counter) generated in a temporary folder and
served in production mode with the same Redis for its state: the same harness clicks its
counter at the same pace, with the same N, in the same run.

The load generator is a separate process (`python -m bench.websocket load`, a JSON spec
on stdin, a JSON result on stdout); it reports its own CPU time, since on a small machine
it competes with the server.

Environment: `WSBENCH_RUNS` ("50:3,200:3,500:2" by default: level:runs), `WSBENCH_PACE`
(seconds between clicks, 1.0).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psutil

from bench.stats import budget, latency_summary, summary

ROOT = Path(__file__).resolve().parent.parent
LOG_DIR = ROOT / "var" / "bench" / "websocket"
DEFAULT_RUNS = "50:3,200:3,500:2"
REDIS_BROKER_DB, REDIS_STATE_DB = 6, 7
WEB_WORKDIR = "/tmp/web-wsbench"
BLANK_WEB_WORKDIR = "/tmp/web-wsbench-blank"
RAMP_SECONDS = 10.0
EVENT_TIMEOUT = 60.0
AFFAIRE_WAIT_SECONDS = 120.0
WARMUP_USERS = 10
UNLIMITED_ADDRESS = {
    "ADDRESS_SOCKETS_PER_MINUTE": "1000000",
    "ADDRESS_EVENTS_PER_MINUTE": "100000000",
    "ADDRESS_LOGINS_PER_MINUTE": "1000000",
}

# The timed events of one journey, in order (the report's rows).
LOGIN, DASHBOARD, SELECT, SELECTION, CHOOSE, NEXT, RECAP, CONFIRM, CONFIRMATION = (
    "login (submit)",
    "tableau de bord (on_load)",
    "sélectionner (select)",
    "étape 1 (on_load)",
    "choix d'un OC (choose)",
    "étape suivante (next_step)",
    "récapitulatif (on_load)",
    "confirmer (confirm)",
    "confirmation (on_load)",
)
CONNECT, INCREMENT = "connexion (hydrate)", "compteur (increment)"
JOURNEY_EVENTS = (CONNECT, LOGIN, DASHBOARD, SELECT, SELECTION, CHOOSE, NEXT, RECAP, CONFIRM, CONFIRMATION)
BLANK_EVENTS = (CONNECT, INCREMENT)
CLICKS_PER_JOURNEY = 6  # login, select, 2 choices, next step, confirm


def levels_and_runs() -> list[tuple[int, int]]:
    spec = os.environ.get("WSBENCH_RUNS", DEFAULT_RUNS)
    pairs = [part.split(":") for part in spec.split(",") if part.strip()]
    return [(int(level), int(runs)) for level, runs in pairs]


# --- the simulated users (run inside the load process) -----------------------------------------


class Journey:
    """Samples and errors of one load process, by event name."""

    def __init__(self, pace: float) -> None:
        self.pace = pace
        self.samples: dict[str, list[float]] = {}
        self.errors: list[str] = []
        self.completed = 0
        self.started = time.perf_counter()
        # (seconds since the load started, latency in ms) of every event: the steady-state part
        # reads its p95 minute by minute.
        self.timeline: list[tuple[float, float]] = []

    def record(self, name: str, seconds: float | None) -> None:
        if seconds is None or seconds != seconds:  # None or NaN: no matching update
            raise TimeoutError(f"{name} : pas de réponse")
        self.samples.setdefault(name, []).append(seconds * 1000)
        self.timeline.append((round(time.perf_counter() - self.started, 3), round(seconds * 1000, 2)))

    async def click_pause(self) -> None:
        await asyncio.sleep(self.pace * random.uniform(0.75, 1.25))


async def _connect(tab: Any, journey: Journey) -> None:
    start = time.perf_counter()
    await tab.connect("/", settle=0, timeout=EVENT_TIMEOUT)
    journey.record(CONNECT, await _since(tab, start, lambda update: True))


async def _since(tab: Any, start: float, until: Callable[[dict[str, Any]], bool]) -> float:
    arrived = await tab.wait_for(until, after=start, timeout=EVENT_TIMEOUT)
    if arrived is None:
        raise TimeoutError("pas de réponse")
    return arrived - start


async def _navigation(tab: Any, journey: Journey, name: str, redirected_at: float, until: Callable) -> None:
    """The page load a redirect triggered: on_load_internal sent -> the page's data."""
    arrived = await tab.wait_for(until, after=redirected_at, timeout=EVENT_TIMEOUT)
    if arrived is None:
        raise TimeoutError(f"{name} : pas de réponse")
    sent = tab.last_sent("on_load_internal", before=arrived)
    if sent is None:
        raise RuntimeError(f"{name} : aucun on_load envoyé")
    journey.record(name, arrived - sent.at)


async def _click(tab: Any, journey: Journey, name: str, event: str, payload: dict, until: Callable) -> float:
    """Send a click's event; record its latency; return when its update arrived."""
    await journey.click_pause()
    start = time.perf_counter()
    seconds = await tab.send(event, payload, until=until, timeout=EVENT_TIMEOUT)
    journey.record(name, seconds)
    return start + seconds


async def insured_journey(base_url: str, nir: str, code: str, delay: float, journey: Journey) -> None:
    """Log in, choose an OC for each beneficiary, confirm; raise on anything unexpected."""
    from rxapp.state.auth import AuthState
    from rxapp.state.dashboard import DashboardState
    from rxapp.state.login import LoginState
    from rxapp.state.selection import SelectionState
    from tests.support.reflex_socket import ReflexTab, delta_of, event_name, filled, redirected, state_path

    await asyncio.sleep(delay)
    tab = ReflexTab(base_url)
    selection = state_path(SelectionState)
    try:
        await _connect(tab, journey)
        at = await _click(
            tab,
            journey,
            LOGIN,
            event_name(LoginState, "submit"),
            {"form_data": {"nir": nir, "code": code}},
            filled(state_path(AuthState), "page_load"),
        )
        # The ticket's URL is loaded as a whole page (the server sets the session cookie there),
        # then the dashboard opens a new socket: its time runs from that socket's hydrate event.
        await tab.follow_page_load(settle=0, timeout=EVENT_TIMEOUT)
        hydrated = tab.last_sent("hydrate_and_load")
        if hydrated is None or hydrated.at < at:
            raise RuntimeError(f"{DASHBOARD} : aucune page chargée")
        journey.record(
            DASHBOARD, await _since(tab, hydrated.at, filled(state_path(DashboardState), "display_name"))
        )
        at = await _click(tab, journey, SELECT, event_name(DashboardState, "select"), {}, redirected)
        await _navigation(tab, journey, SELECTION, at, filled(selection, "beneficiaries"))
        for beneficiary in tab.var(SelectionState, "beneficiaries", []):
            await _click(
                tab,
                journey,
                CHOOSE,
                event_name(SelectionState, "choose"),
                {"beneficiary_id": beneficiary["id"], "contract_id": beneficiary["options"][0]["id"]},
                delta_of(selection, "beneficiaries"),
            )
        at = await _click(tab, journey, NEXT, event_name(SelectionState, "next_step"), {}, redirected)
        await _navigation(tab, journey, RECAP, at, delta_of(selection))
        at = await _click(tab, journey, CONFIRM, event_name(SelectionState, "confirm"), {}, redirected)
        await _navigation(tab, journey, CONFIRMATION, at, delta_of(selection))
        reference = tab.var(SelectionState, "reference", "")
        if not str(reference).startswith("DEM-"):
            raise RuntimeError(f"pas de référence après la confirmation ({tab.redirects[-3:]})")
        journey.completed += 1
    except Exception as error:  # every failure is counted, none stops the others
        detail = "; ".join(tab.errors[-2:])
        journey.errors.append(f"{type(error).__name__}: {error} {detail}".strip())
    finally:
        await tab.close()


async def counter_clicks(base_url: str, state: str, delay: float, journey: Journey) -> None:
    """The baseline: open the blank app and click its counter as often as a journey clicks."""
    from tests.support.reflex_socket import ReflexTab, delta_of

    await asyncio.sleep(delay)
    tab = ReflexTab(base_url)
    try:
        await _connect(tab, journey)
        for _ in range(CLICKS_PER_JOURNEY):
            await _click(tab, journey, INCREMENT, f"{state}.increment", {}, delta_of(state, "count"))
        journey.completed += 1
    except Exception as error:  # counted, as above
        journey.errors.append(f"{type(error).__name__}: {error} {'; '.join(tab.errors[-2:])}".strip())
    finally:
        await tab.close()


async def _load(spec: dict[str, Any]) -> dict[str, Any]:
    journey = Journey(spec["pace"])
    users = spec["users"]
    ramp = spec["ramp"]
    started = time.perf_counter()
    if spec["kind"] == "insured":
        tasks = [
            insured_journey(spec["url"], nir, spec["code"], ramp * index / max(1, len(users)), journey)
            for index, nir in enumerate(users)
        ]
    else:
        tasks = [
            counter_clicks(spec["url"], spec["state"], ramp * index / max(1, len(users)), journey)
            for index in range(len(users))
        ]
    await asyncio.gather(*tasks)
    return {
        "seconds": time.perf_counter() - started,
        "samples": journey.samples,
        "errors": journey.errors,
        "completed": journey.completed,
        "timeline": journey.timeline if spec.get("timeline") else [],
    }


def load_main() -> int:
    """`python -m bench.websocket load`: run the spec read on stdin, print the result."""
    spec = json.loads(sys.stdin.read())
    wall = time.perf_counter()
    result = asyncio.run(_load(spec))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["generator_cpu_seconds"] = usage.ru_utime + usage.ru_stime
    result["generator_wall_seconds"] = time.perf_counter() - wall
    print(json.dumps(result))
    return 0


# --- the servers ---------------------------------------------------------------------------------


def _process_tree_cpu(pid: int) -> float:
    """CPU seconds used so far by a process and its children."""
    total = 0.0
    try:
        root = psutil.Process(pid)
        for process in [root, *root.children(recursive=True)]:
            try:
                times = process.cpu_times()
                total += times.user + times.system
            except psutil.Error:
                continue
    except psutil.Error:
        pass
    return total


def _flush_redis(base: str) -> None:
    import redis

    for number in (REDIS_BROKER_DB, REDIS_STATE_DB):
        redis.Redis.from_url(f"{base}/{number}").flushdb()


BLANK_APP = '''
"""A blank Reflex app with one counter: the websocket bench's baseline."""

import reflex as rx


class CounterState(rx.State):
    count: int = 0

    @rx.event
    def increment(self):
        self.count += 1


def index() -> rx.Component:
    return rx.vstack(rx.heading(CounterState.count), rx.button("+1", on_click=CounterState.increment))


app = rx.App()
app.add_page(index)
'''

BLANK_CONFIG = """
import reflex as rx

config = rx.Config(
    app_name="blankcounter",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    redis_url={redis_url!r},
    disable_plugins=[rx.plugins.SitemapPlugin],
)
"""


@contextmanager
def blank_app(
    redis_url: str, log_path: Path, workdir: str = BLANK_WEB_WORKDIR
) -> Iterator[tuple[str, subprocess.Popen]]:
    """Generate and serve the blank counter app in production mode on a free port."""
    from tests.support.processes import served_reflex_folder

    with tempfile.TemporaryDirectory(prefix="wsbench-blank-") as folder:
        root = Path(folder)
        (root / "blankcounter").mkdir()
        (root / "blankcounter" / "__init__.py").write_text("")
        (root / "blankcounter" / "blankcounter.py").write_text(textwrap.dedent(BLANK_APP))
        (root / "rxconfig.py").write_text(textwrap.dedent(BLANK_CONFIG.format(redis_url=redis_url)))
        (root / "requirements.txt").write_text("reflex\n")
        env = dict(os.environ)
        env.update(
            REFLEX_WEB_WORKDIR=workdir,
            REFLEX_USE_NPM="1",
            REFLEX_TELEMETRY_ENABLED="false",
            PATH=str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", ""),
        )
        with served_reflex_folder(root, env, log_path, ready_path="/ping") as served:
            yield served


def _run_load(spec: dict[str, Any], server_pid: int) -> dict[str, Any]:
    """One load run in a separate process; adds the server's CPU seconds over the run."""
    cpu_before = _process_tree_cpu(server_pid)
    completed = subprocess.run(
        [sys.executable, "-m", "bench.websocket", "load"],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"Le générateur de charge a échoué :\n{completed.stderr[-3000:]}")
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    result["server_cpu_seconds"] = _process_tree_cpu(server_pid) - cpu_before
    result["load_average"] = os.getloadavg()[0]
    return result


# --- the database checks ---------------------------------------------------------------------------


def _requests_and_affaires(database_url: str, account_ids: list[int]) -> tuple[int, int, int]:
    """(requests, distinct accounts with a request, affaires) for these accounts."""
    from sqlalchemy import func
    from sqlmodel import Session, select

    from rxapp.db import make_engine
    from rxapp.models import Affaire, OverlapRequest

    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            mine = OverlapRequest.account_id.in_(account_ids)  # type: ignore[attr-defined]
            requests = session.exec(select(func.count()).select_from(OverlapRequest).where(mine)).one()
            accounts = session.exec(
                select(func.count(func.distinct(OverlapRequest.account_id))).where(mine)
            ).one()
            affaires = session.exec(
                select(func.count())
                .select_from(Affaire)
                .join(OverlapRequest, Affaire.request_id == OverlapRequest.id)  # type: ignore[arg-type]
                .where(mine)
            ).one()
            return requests, accounts, affaires
    finally:
        engine.dispose()


def _check_requests(database_url: str, account_ids: list[int]) -> dict[str, int | float]:
    """Wait for the worker to create every affaire, then count requests and affaires."""
    started = time.monotonic()
    while True:
        requests, accounts, affaires = _requests_and_affaires(database_url, account_ids)
        if affaires >= requests or time.monotonic() - started > AFFAIRE_WAIT_SECONDS:
            break
        time.sleep(1)
    return {
        "expected": len(account_ids),
        "requests": requests,
        "accounts_with_request": accounts,
        "affaires": affaires,
        "affaires_after_seconds": round(time.monotonic() - started, 1),
    }


# --- the report ---------------------------------------------------------------------------------------


ALL_EVENTS = "**tous les événements**"
ALL_BUT_LOGIN = "tous sauf le login"


def _samples(run: dict[str, Any], event: str) -> list[float]:
    if event == ALL_EVENTS:
        return [value for values in run["samples"].values() for value in values]
    if event == ALL_BUT_LOGIN:
        return [value for name, values in run["samples"].items() if name != LOGIN for value in values]
    return run["samples"].get(event, [])


def _median_of(runs: list[dict[str, Any]], event: str, key: str) -> dict[str, float | int] | None:
    """The median over runs of one percentile (`key`) of one event's latencies."""
    values = [latency_summary(samples)[key] for run in runs if (samples := _samples(run, event))]
    return summary(values) if values else None


def _cell(stats: dict[str, float | int] | None) -> str:
    if stats is None:
        return "-"
    if stats["runs"] == 1:
        return f"{stats['median']:.1f}"
    return f"{stats['median']:.1f} ± {stats['spread']:.1f}"


def _level_table(level: int, ours: list[dict], blank: list[dict]) -> dict[str, Any]:
    rows = []
    for label, runs, events in (
        ("app", ours, (*JOURNEY_EVENTS, ALL_EVENTS, ALL_BUT_LOGIN)),
        ("vide", blank, (*BLANK_EVENTS, ALL_EVENTS)),
    ):
        for event in events:
            count = sum(len(_samples(run, event)) for run in runs)
            if count:
                cells = [_cell(_median_of(runs, event, key)) for key in ("p50", "p95", "p99")]
                rows.append([label, event, count, *cells])
    return {
        "caption": f"N = {level} : latence en ms (médiane de {len(ours)} exécution(s) ± écart max − min)",
        "columns": ["app", "événement", "mesures", "p50", "p95", "p99"],
        "rows": rows,
    }


def _throughput_row(level: int, kind: str, runs: list[dict[str, Any]]) -> list[Any]:
    def med(key: Callable[[dict], float]) -> str:
        stats = summary([key(run) for run in runs])
        return (
            f"{stats['median']:.2f} ± {stats['spread']:.2f}"
            if stats["runs"] > 1
            else f"{stats['median']:.2f}"
        )

    checks = [run.get("check") for run in runs if run.get("check")]
    lost = ", ".join(f"{c['requests']}/{c['affaires']}" for c in checks) if checks else "-"
    return [
        level,
        kind,
        len(runs),
        med(lambda run: run["completed"] / run["seconds"]),
        sum(len(run["errors"]) for run in runs),
        lost,
        med(lambda run: run["generator_cpu_seconds"] / run["generator_wall_seconds"] * 100),
        med(lambda run: run["server_cpu_seconds"] / run["generator_wall_seconds"] * 100),
        med(lambda run: run["server_cpu_seconds"] / max(1, run["completed"])),
        med(lambda run: run["load_average"]),
    ]


def lost_or_doubled_requests(run: dict[str, Any]) -> int:
    """Confirmations shown without a request, requests without an affaire, and doubles.

    A journey that failed before "Confirmer" leaves no request: that is an error, counted
    as such, not a lost request.
    """
    check = run["check"]
    lost = max(0, run["completed"] - check["requests"]) + max(0, check["requests"] - check["affaires"])
    doubled = (
        check["requests"] - check["accounts_with_request"] + max(0, check["affaires"] - check["requests"])
    )
    return lost + doubled


def _pooled(runs: list[dict[str, Any]], key: str) -> float:
    stats = _median_of(runs, ALL_EVENTS, key)
    return float(stats["median"]) if stats else float("nan")


def report(measured: dict[int, dict[str, list[dict[str, Any]]]]) -> dict[str, Any]:
    tables = [_level_table(level, runs["ours"], runs["blank"]) for level, runs in measured.items()]
    tables.append(
        {
            "caption": "Parcours terminés, erreurs, demandes et affaires, CPU",
            "columns": [
                "N",
                "app",
                "exécutions",
                "parcours/s",
                "erreurs",
                "demandes/affaires par exécution",
                "CPU générateur %",
                "CPU serveur %",
                "CPU serveur s/parcours",
                "charge machine (1 min)",
            ],
            "rows": [
                row
                for level, runs in measured.items()
                for row in (
                    _throughput_row(level, "app", runs["ours"]),
                    _throughput_row(level, "vide", runs["blank"]),
                )
            ],
        }
    )
    # Issue 13's budgets (issue 5's were 50 and 150 ms at N = 500).
    budgets = []
    if 200 in measured:
        budgets.append(
            budget(
                "N = 200 : p95 de tous les événements", _pooled(measured[200]["ours"], "p95"), 60, unit="ms"
            )
        )
    if 500 in measured:
        budgets.append(
            budget(
                "N = 500 : p95 de tous les événements", _pooled(measured[500]["ours"], "p95"), 300, unit="ms"
            )
        )
        budgets.append(
            budget(
                "N = 500 : p99 de tous les événements", _pooled(measured[500]["ours"], "p99"), 800, unit="ms"
            )
        )
    all_ours = [run for runs in measured.values() for run in runs["ours"]]
    budgets.append(budget("erreurs (toutes exécutions)", sum(len(run["errors"]) for run in all_ours), 0))
    lost_or_doubled = sum(lost_or_doubled_requests(run) for run in all_ours)
    budgets.append(budget("demandes ou affaires perdues ou doublées", lost_or_doubled, 0))
    if 200 in measured:
        budgets.append(
            budget(
                "N = 200 : p95 de l'app / p95 de l'app vide",
                _pooled(measured[200]["ours"], "p95") / _pooled(measured[200]["blank"], "p95"),
                2,
            )
        )
    intro = (
        "Chaque assuré simulé parle le protocole du navigateur (socket.io sur `/_event`) : connexion, "
        "tableau de bord, sélection, un choix par bénéficiaire (2), récapitulatif, confirmation, un clic "
        "toutes les ~1 s (± 25 %), les on_load d'une redirection envoyés aussitôt ; les N parcours "
        f"démarrent étalés sur {RAMP_SECONDS:.0f} s. Latence : de l'envoi d'un événement à la première "
        "mise à jour qui porte son effet (pour un on_load : de `on_load_internal` aux données de la page), "
        "vue par le client. L'app tourne comme en production (`python -m rxapp.cli serve` : état dans "
        "Redis, PostgreSQL, worker Celery) ; la référence est une app Reflex vide (un compteur, état dans "
        "le même Redis) cliquée au même rythme, autant de fois qu'un parcours clique, dans la même "
        "exécution. Le générateur est un processus à part, sur la même machine : son CPU est donné, "
        "comme celui du serveur (app + worker) par parcours et la charge de la machine, partagée avec "
        "d'autres travaux."
    )
    return {
        "title": "2. Latence des événements sous charge (websocket Reflex)",
        "intro": intro,
        "tables": tables,
        "budgets": budgets,
    }


# --- the whole part ---------------------------------------------------------------------------------


def run() -> dict[str, Any]:
    from rxapp.state.login import LoginState  # noqa: F401 - the state tree must import
    from tests.support.databases import base_database_url, scratch_database, upgrade_to_head
    from tests.support.population import commit_population
    from tests.support.processes import running_app

    plan = levels_and_runs()
    pace = float(os.environ.get("WSBENCH_PACE", "1.0"))
    redis_base = os.environ.get("WSBENCH_REDIS", "redis://127.0.0.1:6379")
    needed = WARMUP_USERS + sum(level * runs for level, runs in plan)
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    with scratch_database("wsbench", base_database_url()) as database_url:
        upgrade_to_head(database_url)
        population = commit_population(database_url=database_url, count=needed)
        print(f"{needed} assurés créés", flush=True)
        _flush_redis(redis_base)
        env = {
            "REFLEX_WEB_WORKDIR": WEB_WORKDIR,
            "DATABASE_URL": database_url,
            "REDIS_URL": f"{redis_base}/{REDIS_BROKER_DB}",
            "CELERY_QUEUE": f"wsbench-{os.getpid()}",
            # Every simulated insured person comes from 127.0.0.1: the per-address budgets
            # (rxapp/abuse, made for one person's browser) would refuse all but the first few.
            **UNLIMITED_ADDRESS,
        }
        blank_redis = f"{redis_base}/{REDIS_STATE_DB}"
        with (
            running_app(env, LOG_DIR / "app.log") as app,
            blank_app(blank_redis, LOG_DIR / "blank.log") as (blank_url, blank_process),
        ):
            accounts = list(zip(population.nirs, population.account_ids, strict=True))

            def take(count: int) -> list[tuple[str, int]]:
                batch, accounts[:] = accounts[:count], accounts[count:]
                return batch

            def insured_spec(batch: list[tuple[str, int]]) -> dict[str, Any]:
                users = [nir for nir, _ in batch]
                return {
                    "kind": "insured",
                    "url": app.url,
                    "code": population.code,
                    "users": users,
                    "pace": pace,
                    "ramp": RAMP_SECONDS,
                }

            def blank_spec(count: int) -> dict[str, Any]:
                return {
                    "kind": "blank",
                    "url": blank_url,
                    "state": _blank_state_path(),
                    "users": [""] * count,
                    "pace": pace,
                    "ramp": RAMP_SECONDS,
                }

            # Warm both servers (imports, first connections) before measuring anything.
            _run_load(dict(insured_spec(take(WARMUP_USERS)), ramp=1.0), app.process.pid)
            _run_load(dict(blank_spec(WARMUP_USERS), ramp=1.0), blank_process.pid)
            measured: dict[int, dict[str, list[dict[str, Any]]]] = {}
            for level, runs in plan:
                measured[level] = {"ours": [], "blank": []}
                for index in range(runs):
                    blank = _run_load(blank_spec(level), blank_process.pid)
                    measured[level]["blank"].append(blank)
                    batch = take(level)
                    ours = _run_load(insured_spec(batch), app.process.pid)
                    ours["check"] = _check_requests(database_url, [account_id for _, account_id in batch])
                    measured[level]["ours"].append(ours)
                    print(
                        f"N={level} #{index + 1}: app {ours['completed']}/{level} parcours, "
                        f"{len(ours['errors'])} erreurs, {ours['check']}; vide {len(blank['errors'])} erreurs",
                        flush=True,
                    )
    result = report(measured)
    result["raw"] = {
        str(level): {
            kind: [
                {
                    "seconds": run["seconds"],
                    "completed": run["completed"],
                    "errors": run["errors"][:20],
                    "error_count": len(run["errors"]),
                    "check": run.get("check"),
                    "generator_cpu_seconds": run["generator_cpu_seconds"],
                    "server_cpu_seconds": run["server_cpu_seconds"],
                    "load_average": run["load_average"],
                    "latency_ms": {
                        event: latency_summary(values) for event, values in run["samples"].items()
                    },
                }
                for run in runs[kind]
            ]
            for kind in ("ours", "blank")
        }
        for level, runs in measured.items()
    }
    return result


def _blank_state_path() -> str:
    """The blank app's counter state as Reflex names it on the wire."""
    return "reflex___state____state.blankcounter___blankcounter____counter_state"


if __name__ == "__main__":
    if sys.argv[1:] == ["load"]:
        sys.exit(load_main())
    from bench.report import save_part

    print(save_part("websocket", run()))
