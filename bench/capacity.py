"""`make bench` part 8: what one journey costs the server, the capacity, and the steady state.

The same simulated insured persons as part 2 (`bench.websocket`: login, dashboard, selection,
two choices, recap, confirmation, one click about every second), on the app served as in
production, with the blank Reflex app (one counter) as the baseline in the same run.

- **Cost of a journey**: N journeys started over 10 s; the server's CPU seconds per journey,
  per process (web, worker), the SQL statements per journey (the app's own counter
  `ameli_sql_statements_total` on `/metrics`), and argon2's CPU per login, measured apart
  in this process with the app's own hasher. `CAPBENCH_PROFILE=1` adds a py-spy `--gil`
  profile of the web processes during that run, split by where the time goes.
- **Capacity**: journeys arrive at a constant rate (journeys per second) for one step
  (`CAPBENCH_STEP_SECONDS`, 60 s); the rate goes up step by step until the p95 of all the
  events exceeds 100 ms (or an error occurs). The capacity is the last rate that held; the
  same for the blank app (its clicks, as many as a journey's), and the ratio.
- **Steady state**: journeys at half our capacity for `CAPBENCH_STEADY_SECONDS` (600 s):
  the p95 minute by minute, and each server process's resident memory at start and end.

Environment: `CAPBENCH_PHASES` ("cost,capacity,steady"), `CAPBENCH_COST_LEVEL` (200),
`CAPBENCH_RATES_APP` ("2,4,6,8,10,12,15,20"), `CAPBENCH_RATES_BLANK` ("10,20,40,60,80,100,130"),
`CAPBENCH_STEP_SECONDS`, `CAPBENCH_STEADY_SECONDS`, `CAPBENCH_PROFILE`, `WSBENCH_PACE`.
"""

from __future__ import annotations

import collections
import math
import os
import re
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import psutil

from bench import websocket as ws
from bench.stats import latency_summary

LOG_DIR = ws.ROOT / "var" / "bench" / "capacity"
REDIS_BROKER_DB, REDIS_STATE_DB = 10, 11
WEB_WORKDIR = "/tmp/web-capbench"
BLANK_WEB_WORKDIR = "/tmp/web-capbench-blank"
P95_LIMIT_MS = 100.0
CPU_BUDGET_SECONDS = 0.04
SQL = re.compile(r'^ameli_sql_statements_total\{source="(\w+)"\} ([0-9.e+]+)$', re.MULTILINE)


def _setting(name: str, default: str) -> str:
    return os.environ.get(name, default)


def _rates(name: str, default: str) -> list[float]:
    return [float(part) for part in _setting(name, default).split(",") if part.strip()]


# --- what the server processes use ------------------------------------------------------------


def _role(process: psutil.Process) -> str:
    command = " ".join(process.cmdline())
    if "celery" in command:
        return "worker"
    if "franceconnect_local" in command:
        return "franceconnect"
    if "rxapp.cli web" in command or "granian" in command or "reflex" in command:
        return "web"
    return "serve"


def _processes(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


def _cpu_by_role(pid: int) -> dict[str, float]:
    """CPU seconds used so far by each role of the server's process tree."""
    used: dict[str, float] = collections.defaultdict(float)
    for process in _processes(pid):
        try:
            times = process.cpu_times()
            used[_role(process)] += times.user + times.system
        except psutil.Error:
            continue
    return dict(used)


def _memory(pid: int) -> dict[str, dict[str, Any]]:
    """Resident memory (MiB) of each process of the server's tree, by pid."""
    found = {}
    for process in _processes(pid):
        try:
            found[str(process.pid)] = {
                "role": _role(process),
                "rss_mib": process.memory_info().rss / 1024 / 1024,
            }
        except psutil.Error:
            continue
    return found


def _statements(url: str) -> dict[str, float]:
    text = httpx.get(f"{url}/metrics", timeout=30).text
    return {source: float(value) for source, value in SQL.findall(text)}


def argon2_cpu_seconds(rounds: int = 20) -> float:
    """CPU seconds of one verification of a code with the app's own hasher (as at each login)."""
    from rxapp.services.security import hash_secret, verify_secret

    hashed = hash_secret("123456")
    start = time.process_time()
    for _ in range(rounds):
        verify_secret(hashed, "123456")
    return (time.process_time() - start) / rounds


# --- the py-spy profile -----------------------------------------------------------------------------

# The first of these found from the innermost frame outwards names where a sample goes.
CATEGORIES = (
    ("argon2", ("argon2",)),
    ("SQL (SQLAlchemy, psycopg)", ("sqlalchemy", "psycopg", "sqlmodel")),
    ("envoi Celery (kombu)", ("kombu", "celery", "amqp")),
    ("état Reflex dans Redis", ("redis/",)),
    ("socket.io, engine.io, Starlette, granian", ("socketio", "engineio", "starlette", "granian", "uvicorn")),
    ("traitement des événements Reflex", ("reflex/",)),
    ("code de l'app hors SQL", ("rxapp/",)),
)


def profile_split(raw: Path) -> list[list[Any]]:
    """Share of samples by category, from py-spy's raw (collapsed) output."""
    counts: collections.Counter[str] = collections.Counter()
    for line in raw.read_text().splitlines():
        stack, _, number = line.rpartition(" ")
        if not number.isdigit():
            continue
        frames = stack.split(";")
        category = "autre (asyncio, bibliothèque standard)"
        # argon2 and the Celery send anywhere in the stack (their innermost frames are in cffi or
        # redis-py); everything else by its innermost known frame.
        for name, marks in CATEGORIES[:1] + CATEGORIES[2:3]:
            if any(mark in frame for frame in frames for mark in marks):
                frames = [name]
                break
        for frame in reversed(frames):
            found = next(
                (name for name, marks in CATEGORIES if frame == name or any(m in frame for m in marks)), None
            )
            if found:
                category = found
                break
        counts[category] += int(number)
    total = sum(counts.values()) or 1
    return [[f"{100 * n / total:.1f} %", name, n] for name, n in counts.most_common()]


@contextmanager
def profiled(pid: int, path: Path, enabled: bool) -> Iterator[None]:
    if not enabled:
        yield
        return
    web = [p.pid for p in _processes(pid) if _role(p) == "web"]
    spy = subprocess.Popen(
        [
            "py-spy",
            "record",
            "--gil",
            "--subprocesses",
            "--nonblocking",
            "-r",
            "50",
            "-f",
            "raw",
            "-o",
            str(path),
            "-p",
            str(min(web) if web else pid),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        yield
    finally:
        spy.send_signal(2)  # SIGINT: py-spy writes its output and stops
        spy.wait(timeout=60)


# --- one load run ------------------------------------------------------------------------------------


def _all_p(run: dict[str, Any], key: str) -> float:
    samples = [value for values in run["samples"].values() for value in values]
    return float(latency_summary(samples)[key]) if samples else float("nan")


class Bench:
    """Both servers, the population, and one load run at a time."""

    def __init__(self, app: Any, blank_url: str, blank_pid: int, database_url: str, pace: float) -> None:
        self.app = app
        self.blank_url = blank_url
        self.blank_pid = blank_pid
        self.database_url = database_url
        self.pace = pace

    def accounts(self, count: int) -> tuple[str, list[tuple[str, int]]]:
        """`count` new insured persons (a population of their own): their code, NIRs and account ids."""
        from tests.support.population import commit_population

        population = commit_population(database_url=self.database_url, count=count)
        return population.code, list(zip(population.nirs, population.account_ids, strict=True))

    def ours(self, count: int, ramp: float, *, timeline: bool = False, check: bool = True) -> dict[str, Any]:
        code, batch = self.accounts(count)
        spec = {
            "kind": "insured",
            "url": self.app.url,
            "code": code,
            "users": [nir for nir, _ in batch],
            "pace": self.pace,
            "ramp": ramp,
            "timeline": timeline,
        }
        pid = self.app.process.pid
        cpu_before, sql_before = _cpu_by_role(pid), _statements(self.app.url)
        run = ws._run_load(spec, pid)
        cpu_after, sql_after = _cpu_by_role(pid), _statements(self.app.url)
        run["cpu_by_role"] = {
            role: cpu_after.get(role, 0.0) - cpu_before.get(role, 0.0) for role in cpu_after
        }
        run["sql"] = {
            source: sql_after.get(source, 0.0) - sql_before.get(source, 0.0) for source in sql_after
        }
        if check:
            run["check"] = ws._check_requests(self.database_url, [account_id for _, account_id in batch])
        return run

    def blank(self, count: int, ramp: float) -> dict[str, Any]:
        spec = {
            "kind": "blank",
            "url": self.blank_url,
            "state": ws._blank_state_path(),
            "users": [""] * count,
            "pace": self.pace,
            "ramp": ramp,
        }
        return ws._run_load(spec, self.blank_pid)


# --- the phases ----------------------------------------------------------------------------------------


def cost(bench: Bench, level: int, profile: bool) -> dict[str, Any]:
    raw = LOG_DIR / "profile.txt"
    with profiled(bench.app.process.pid, raw, profile):
        ours = bench.ours(level, ws.RAMP_SECONDS)
    blank = bench.blank(level, ws.RAMP_SECONDS)
    done = max(1, ours["completed"])
    result = {
        "level": level,
        "ours": ours,
        "blank": blank,
        "argon2_cpu_seconds": argon2_cpu_seconds(),
        "cpu_per_journey": {role: used / done for role, used in ours["cpu_by_role"].items()},
        "sql_per_journey": {source: count / done for source, count in ours["sql"].items()},
        "blank_cpu_per_journey": blank["server_cpu_seconds"] / max(1, blank["completed"]),
    }
    if profile and raw.exists():
        result["profile"] = profile_split(raw)
    return result


def capacity(run_step: Callable[[float], dict[str, Any]], rates: list[float]) -> dict[str, Any]:
    """Raise the arrival rate step by step until the p95 of all events exceeds the limit."""
    steps = []
    held = 0.0
    for rate in rates:
        run = run_step(rate)
        p95 = _all_p(run, "p95")
        ok = p95 <= P95_LIMIT_MS and not run["errors"]
        steps.append({"rate": rate, "run": run, "p95": p95, "p99": _all_p(run, "p99"), "held": ok})
        print(f"  {rate:g} parcours/s : p95 {p95:.1f} ms, {len(run['errors'])} erreurs", flush=True)
        if not ok:
            break
        held = rate
    return {"capacity": held, "steps": steps}


def steady(bench: Bench, rate: float, seconds: float) -> dict[str, Any]:
    pid = bench.app.process.pid
    memory_start = _memory(pid)
    run = bench.ours(max(1, round(rate * seconds)), seconds, timeline=True)
    memory_end = _memory(pid)
    minutes = max(1, math.ceil(seconds / 60))
    by_minute: dict[int, list[float]] = collections.defaultdict(list)
    for at, latency in run["timeline"]:
        by_minute[min(int(at // 60), minutes - 1)].append(latency)
    per_minute = [
        {"minute": minute + 1, **latency_summary(values)} for minute, values in sorted(by_minute.items())
    ]
    memory = []
    for pid_text, start in memory_start.items():
        end = memory_end.get(pid_text)
        if end is not None:
            memory.append(
                {
                    "pid": pid_text,
                    "role": start["role"],
                    "start_mib": start["rss_mib"],
                    "end_mib": end["rss_mib"],
                    "growth": end["rss_mib"] / start["rss_mib"] - 1,
                }
            )
    run.pop("timeline", None)
    return {"rate": rate, "seconds": seconds, "run": run, "per_minute": per_minute, "memory": memory}


# --- the whole part ------------------------------------------------------------------------------------


def run() -> dict[str, Any]:
    from rxapp.state.login import LoginState  # noqa: F401 - the state tree must import
    from tests.support.databases import base_database_url, scratch_database, upgrade_to_head
    from tests.support.processes import running_app

    phases = _setting("CAPBENCH_PHASES", "cost,capacity,steady").split(",")
    pace = float(_setting("WSBENCH_PACE", "1.0"))
    step = float(_setting("CAPBENCH_STEP_SECONDS", "60"))
    steady_seconds = float(_setting("CAPBENCH_STEADY_SECONDS", "600"))
    redis_base = _setting("WSBENCH_REDIS", "redis://127.0.0.1:6379")
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    measured: dict[str, Any] = {"step_seconds": step}
    with scratch_database(f"capbench{os.getpid()}", base_database_url()) as database_url:
        upgrade_to_head(database_url)
        import redis

        for number in (REDIS_BROKER_DB, REDIS_STATE_DB):
            redis.Redis.from_url(f"{redis_base}/{number}").flushdb()
        env: dict[str, str | None] = {
            "REFLEX_WEB_WORKDIR": WEB_WORKDIR,
            "DATABASE_URL": database_url,
            "REDIS_URL": f"{redis_base}/{REDIS_BROKER_DB}",
            "CELERY_QUEUE": f"capbench-{os.getpid()}",
            # Every simulated insured person comes from 127.0.0.1: the per-address budgets
            # (rxapp/abuse, made for one person's browser) would refuse all but the first few.
            **ws.UNLIMITED_ADDRESS,
        }
        with (
            running_app(env, LOG_DIR / "app.log") as app,
            ws.blank_app(f"{redis_base}/{REDIS_STATE_DB}", LOG_DIR / "blank.log", BLANK_WEB_WORKDIR) as (
                blank_url,
                blank_process,
            ),
        ):
            bench = Bench(app, blank_url, blank_process.pid, database_url, pace)
            bench.ours(ws.WARMUP_USERS, 1.0, check=False)
            bench.blank(ws.WARMUP_USERS, 1.0)
            if "cost" in phases:
                level = int(_setting("CAPBENCH_COST_LEVEL", "200"))
                measured["cost"] = cost(bench, level, bool(_setting("CAPBENCH_PROFILE", "")))
                print(f"coût : {measured['cost']['cpu_per_journey']} {measured['cost']['sql_per_journey']}")
            if "capacity" in phases:
                print("capacité, app :", flush=True)
                measured["capacity_ours"] = capacity(
                    lambda rate: bench.ours(round(rate * step), step),
                    _rates("CAPBENCH_RATES_APP", "2,4,6,8,10,12,15,20"),
                )
                print("capacité, app vide :", flush=True)
                measured["capacity_blank"] = capacity(
                    lambda rate: bench.blank(round(rate * step), step),
                    _rates("CAPBENCH_RATES_BLANK", "10,20,40,60,80,100,130"),
                )
            if "steady" in phases:
                held = measured.get("capacity_ours", {}).get("capacity") or float(
                    _setting("CAPBENCH_STEADY_RATE", "2")
                )
                measured["steady"] = steady(bench, held / 2, steady_seconds)
    from bench.capacity_report import report

    return report(measured)


def main() -> None:
    from bench.report import save_part

    print(save_part("capacity", run()))


if __name__ == "__main__":
    main()
