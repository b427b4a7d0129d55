"""One chaos scenario's world: a scratch database with a synthetic population, the
Medialog+ API (uvicorn), a real Celery worker with its beat, a real SMTP server,
and the app's own queueing function pointed at the scenario's broker and queue.

The checks are the issue's: requests = affaires = N, no duplicate affaire, no
request stuck, every closure notified once and emailed once.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import redis
from aiosmtpd.controller import Controller
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from rxapp.db import make_engine
from rxapp.models import Affaire, AffaireOutbox, Notification, OverlapRequest, RequestStatus
from rxapp.services.medialog import CLOSURE_TITLE
from rxapp.settings import PROJECT_ROOT, VAR_DIR
from tests.support import server_logs
from tests.support.databases import scratch_database, upgrade_to_head
from tests.support.population import Population, create_population, submit_choices
from tests.support.processes import free_port, stop_process_group
from tests.support.smtp import Inbox
from tests.support.worker import wait_for

FIGURES_PATH = VAR_DIR / "chaos" / "figures.jsonl"
BATCH = 200
# The budget: every request done within this many seconds of the end of the fault
# (of the kill, for a worker killed). It is a figure, printed, recorded and compared with the
# budget, not a test: that time is the backlog (up to 600 tasks) draining at the pace of the CPU
# the machine has left, and it grew to 32 s on a CI run at a load of 5.9 on 2 cores with every
# mechanism working (9 to 15 s on a calm machine). Before the mechanisms were fixed it was 25 to
# 61 s, so no fixed time separates the two.
RECOVERY_BUDGET = 15.0
# What the test asserts instead: between the end of the fault and the last request done, the
# outcome never stood still longer than this. A working mechanism acts within seconds whatever the
# backlog (a retry after 3 s at most, a hung Medialog+ call given up after 7 s, a killed worker's
# tasks handed out again after the 10 s visibility timeout, the relay every 2 s); a slower machine
# makes the progress slower, not the pauses longer. A broken or slowed mechanism is a long pause
# with work left: nothing moves until it acts.
STALL_GUARD = 20.0
# The budget verdict is not printed as such when the last minute's load average is over
# MAX_LOAD_PER_CORE per core, or when the test gets less than MIN_CPU_SHARE of a core once the
# scenario is over (its own processes idle): there the time measured is the backlog draining at
# the pace of the CPU left over (18-65 s at a load average of 13 to 27 on 2 cores). The figures,
# load and share included, are reported either way.
MAX_LOAD_PER_CORE = 4.0
MIN_CPU_SHARE = 0.7


def cpu_share(samples: int = 3, seconds: float = 0.2) -> float:
    """The smallest share of a core this thread got while computing for `seconds`, over a few
    samples (1.0: a free core)."""
    shares = []
    for _ in range(samples):
        wall, cpu = time.perf_counter(), time.thread_time()
        while time.perf_counter() - wall < seconds:
            pass
        shares.append((time.thread_time() - cpu) / (time.perf_counter() - wall))
    return round(min(shares), 2)


# A deadline well past the budget, so that a scenario over budget still reports its figures.
SETTLE_TIMEOUT = 150.0
# After a worker is killed, its unacknowledged messages are handed out again once their
# visibility timeout (10 s) has passed, found by the workers' sweep every second; each then
# runs again (a harmless second delivery). Held retries (3 s at most) end as quickly.
IDLE_TIMEOUT = 60.0
# kombu's Redis transport: one list per priority step, and the delivered, unacknowledged
# messages of every queue in one hash (as JSON: [message, exchange, routing key]).
PRIORITY_SEPARATOR = "\x06\x16"
PRIORITY_STEPS = (0, 3, 6, 9)
UNACKED_KEY = "unacked"
# The worker and its beat, as `make run` starts them, with more pool processes: the
# Medialog+ calls wait on I/O.
WORKER_COMMAND = (
    *(sys.executable, "-m", "celery", "-A", "backoffice_worker.celery_app", "worker"),
    *("--loglevel", "INFO", "--concurrency", "4", "--without-gossip", "--without-mingle"),
)


@dataclass(frozen=True)
class Outcome:
    """What the database and the SMTP server hold for the scenario."""

    requests: int
    affaires: int
    requests_with_affaire: int
    outbox_pending: int
    processed: int
    notifications: int
    notified_accounts: int
    emails: int
    emailed: int

    def settled(self, expected: int) -> bool:
        return (
            self.requests == self.requests_with_affaire == self.processed == expected
            and self.outbox_pending == 0
            and self.notified_accounts == self.emailed == expected
        )

    def lost(self, expected: int) -> int:
        """Requests whose affaire, notification or email is missing."""
        return expected - min(self.requests_with_affaire, self.notified_accounts, self.emailed)

    @property
    def duplicated(self) -> int:
        """Affaires, notifications and emails beyond one per request."""
        return (
            (self.affaires - self.requests_with_affaire)
            + (self.notifications - self.notified_accounts)
            + (self.emails - self.emailed)
        )


@dataclass(frozen=True)
class Figures:
    scenario: str
    requests: int
    faults: int
    fault_detail: str
    lost: int
    duplicated: int
    recovery_s: float
    stuck: int
    # The longest time, between the end of the fault and the last request done, in which the
    # outcome did not move (see STALL_GUARD).
    longest_stall_s: float = 0.0
    at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    # The machine when the figures were taken: its load average over the last minute, and the
    # share of a core the test got (see MIN_CPU_SHARE).
    load: float = field(default_factory=lambda: round(os.getloadavg()[0], 1))
    cpu_share: float = field(default_factory=cpu_share)

    def line(self) -> str:
        return (
            f"CHAOS {self.scenario}: requests={self.requests} faults={self.faults} ({self.fault_detail}) "
            f"lost={self.lost} duplicated={self.duplicated} stuck={self.stuck} "
            f"recovery={self.recovery_s:.1f}s longest_stall={self.longest_stall_s:.1f}s load={self.load:.1f} cpu_share={self.cpu_share:.2f}"
        )


@dataclass(frozen=True)
class Recovery:
    """What `Scenario.wait_until_settled` saw after the fault."""

    outcome: Outcome
    seconds: float
    longest_stall: float


# This run's figures, for the summary at the end of the test output (tests/chaos/conftest.py).
RECORDED: list[Figures] = []


def record_figures(figures: Figures) -> None:
    """Print the one-line figures and append them as JSON to var/chaos/figures.jsonl."""
    RECORDED.append(figures)
    print(f"\n{figures.line()}")
    FIGURES_PATH.parent.mkdir(parents=True, exist_ok=True)
    with FIGURES_PATH.open("a") as file:
        file.write(json.dumps(asdict(figures), ensure_ascii=False) + "\n")


class SmtpServer:
    """aiosmtpd on a fixed port that can be stopped (connections refused) and started again."""

    def __init__(self) -> None:
        self.inbox = Inbox()
        self.port = free_port()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


class Scenario:
    """The running pieces of one scenario, and what a test does with them."""

    def __init__(self, name: str, engine: Engine, population: Population, smtp: SmtpServer, log_dir: Path):
        self.name = name
        self.engine = engine
        self.population = population
        self.smtp = smtp
        self.log_dir = log_dir
        self.worker_env: dict[str, str] = {}
        self.workers: list[subprocess.Popen] = []
        self.worker_logs: dict[int, Path] = {}  # by process id
        self.workers_started = 0
        self.queue_failures = 0

    # --- the worker ---------------------------------------------------------------

    def start_worker(self, *, beat: bool = True) -> subprocess.Popen:
        """A worker (with the beat unless told not to) on the scenario's queue; returns once
        it is ready."""
        self.workers_started += 1
        log_path = self.log_dir / f"worker-{self.workers_started}.log"
        beat_options = ("--beat", "--schedule", str(self.log_dir / f"beat-{self.workers_started}"))
        with log_path.open("w") as log:
            worker = subprocess.Popen(
                [
                    *WORKER_COMMAND,
                    *(beat_options if beat else ()),
                    *("--hostname", f"{self.name}-{self.workers_started}-{os.getpid()}@%h"),
                ],
                cwd=PROJECT_ROOT,
                env=self.worker_env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.workers.append(worker)
        self.worker_logs[worker.pid] = log_path
        server_logs.watch(log_path, "worker")
        deadline = time.monotonic() + 60
        while " ready." not in log_path.read_text(errors="replace"):
            if worker.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"Le worker n'a pas démarré :\n{log_path.read_text(errors='replace')[-3000:]}"
                )
            time.sleep(0.1)
        return worker

    def kill_worker(self, worker: subprocess.Popen) -> None:
        """SIGKILL a worker's whole process group (main process, pool children, its beat if any)."""
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
        self.workers.remove(worker)

    def sends_cut_short(self, worker: subprocess.Popen) -> int:
        """The closures a killed worker had started and not finished: each may have had its
        avis de dépôt accepted by the SMTP server before the commit that records it, and is
        then sent again (SMTP is at least once; the README names this limit)."""
        log = self.worker_logs[worker.pid].read_text(errors="replace")
        started = set(re.findall(r"backoffice\.deliver_closure\[([0-9a-f-]+)\] received", log))
        ended = set(
            re.findall(r"backoffice\.deliver_closure\[([0-9a-f-]+)\] (?:succeeded|retry|raised)", log)
        )
        return len(started - ended)

    def worker_log(self) -> str:
        """Everything the scenario's workers have logged so far."""
        return "".join(path.read_text(errors="replace") for path in sorted(self.log_dir.glob("worker-*.log")))

    def retries(self, task: str, because: str) -> int:
        """How many times the workers retried `task` (a name fragment) for an error naming `because`."""
        return sum(
            line.count(because)
            for line in self.worker_log().splitlines()
            if task in line and "retry: Retry in" in line
        )

    def in_flight(self) -> int:
        """The scenario's tasks still waiting in its queue, or delivered and not acknowledged yet
        (running, or held for a retry): late duplicates could only come from these."""
        queue = self.worker_env["CELERY_QUEUE"]
        client = redis.Redis.from_url(self.worker_env["REDIS_URL"], socket_connect_timeout=3)
        try:
            waiting = sum(
                client.llen(queue if step == 0 else f"{queue}{PRIORITY_SEPARATOR}{step}")
                for step in PRIORITY_STEPS
            )
            delivered = sum(
                1
                for raw in client.hvals(UNACKED_KEY)
                if queue in json.loads(raw)[1:]  # exchange or routing key: the queue's name
            )
        finally:
            client.close()
        return waiting + delivered

    # --- the insured's side -------------------------------------------------------

    def submit(self, account_ids: tuple[int, ...] | list[int]) -> list[int]:
        """ "Confirmer" for each account: request + outbox committed, then the task queued."""
        from rxapp.queue import queue_affaire_creation

        def queue(request_id: int) -> None:
            if not queue_affaire_creation(request_id):
                self.queue_failures += 1

        return submit_choices(engine=self.engine, account_ids=account_ids, after_commit=queue)

    # --- the checks ---------------------------------------------------------------

    def outcome(self) -> Outcome:
        with Session(self.engine) as session:

            def count(statement) -> int:
                return int(session.exec(statement).one())

            requests = count(select(func.count()).select_from(OverlapRequest))
            affaires = count(select(func.count()).select_from(Affaire))
            with_affaire = count(select(func.count(func.distinct(Affaire.request_id))))
            pending = count(
                select(func.count()).select_from(AffaireOutbox).where(col(AffaireOutbox.done_at).is_(None))
            )
            processed = count(
                select(func.count())
                .select_from(OverlapRequest)
                .where(OverlapRequest.status == RequestStatus.PROCESSED)
            )
            notifications = count(
                select(func.count()).select_from(Notification).where(Notification.title == CLOSURE_TITLE)
            )
            notified = count(
                select(func.count(func.distinct(Notification.account_id))).where(
                    Notification.title == CLOSURE_TITLE
                )
            )
        recipients = Counter(str(message["To"]) for message in list(self.smtp.inbox.messages))
        return Outcome(
            requests,
            affaires,
            with_affaire,
            pending,
            processed,
            notifications,
            notified,
            sum(recipients.values()),
            len(recipients),
        )

    def wait_until_settled(self, since: float, timeout: float = SETTLE_TIMEOUT) -> Recovery:
        """Poll until every request went through; returns the outcome (read again once no task
        is left in flight, so that a late duplicate is counted), the recovery time counted from
        `since`, and the longest time in between in which the outcome did not change."""
        expected = len(self.population.account_ids)
        deadline = time.monotonic() + timeout
        previous, moved_at, longest_stall = None, since, 0.0
        while True:
            outcome = self.outcome()
            now = time.monotonic()
            if outcome != previous:
                previous, moved_at = outcome, now
            longest_stall = max(longest_stall, now - moved_at)
            if outcome.settled(expected):
                wait_for(
                    lambda: self.in_flight() == 0,
                    timeout=IDLE_TIMEOUT,
                    message="la fin des tâches encore en file ou en cours",
                )
                return Recovery(self.outcome(), now - since, longest_stall)
            if now > deadline:
                return Recovery(outcome, now - since, longest_stall)
            time.sleep(0.5)

    def report(self, recovery: Recovery, faults: int, fault_detail: str) -> Figures:
        """Print the one-line figures and append them to var/chaos/figures.jsonl."""
        expected = len(self.population.account_ids)
        outcome = recovery.outcome
        figures = Figures(
            scenario=self.name,
            requests=outcome.requests,
            faults=faults,
            fault_detail=fault_detail,
            lost=outcome.lost(expected),
            duplicated=outcome.duplicated,
            recovery_s=round(recovery.seconds, 1),
            stuck=outcome.outbox_pending + (outcome.requests - outcome.processed),
            longest_stall_s=round(recovery.longest_stall, 1),
        )
        record_figures(figures)
        return figures

    def assert_recovered(self, figures: Figures) -> None:
        """The recovery mechanisms kept the work moving (STALL_GUARD); the time to the last
        request done is compared with the budget and printed (RECOVERY_BUDGET)."""
        cores = os.cpu_count() or 1
        machine = f"load {figures.load:.1f} on {cores} cores, {figures.cpu_share:.0%} of a core"
        if figures.load > MAX_LOAD_PER_CORE * cores or figures.cpu_share < MIN_CPU_SHARE:
            verdict = "budget not judged, machine overloaded"
        else:
            verdict = "within" if figures.recovery_s <= RECOVERY_BUDGET else "OVER"
            verdict += f" the {RECOVERY_BUDGET:.0f} s budget"
        print(
            f"\n{self.name}: recovery in {figures.recovery_s:.1f} s, {verdict}; "
            f"longest stall {figures.longest_stall_s:.1f} s ({machine})"
        )
        assert figures.longest_stall_s <= STALL_GUARD, (
            f"{self.name}: nothing moved for {figures.longest_stall_s:.1f} s with work left, over the "
            f"{STALL_GUARD:.0f} s guard: a recovery mechanism is not working ({machine})"
        )

    def assert_exactly_once(self, outcome: Outcome, *, emails_cut_short: int = 0) -> None:
        """Everything once; an avis de dépôt may go twice only for a send a SIGKILL cut short
        (`sends_cut_short`)."""
        expected = len(self.population.account_ids)
        assert outcome.requests == expected, outcome
        assert outcome.affaires == outcome.requests_with_affaire == expected, outcome
        assert outcome.outbox_pending == 0 and outcome.processed == expected, outcome
        assert outcome.notifications == outcome.notified_accounts == expected, outcome
        assert outcome.emailed == expected, outcome
        assert outcome.emails - outcome.emailed <= emails_cut_short, (outcome, emails_cut_short)
        assert {str(m["To"]) for m in self.smtp.inbox.messages} == set(self.population.emails)


def _serve_api(database_url: str, log_path: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "uvicorn", "tests.chaos.medialog_api:app"),
                *("--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"),
            ],
            cwd=PROJECT_ROOT,
            env=dict(os.environ, DATABASE_URL=database_url),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server_logs.watch(log_path, "Medialog+ API")
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        with suppress(httpx.HTTPError):
            if httpx.post(f"{url}/api/medialog/affaires", timeout=1).status_code == 401:
                return process, url
        if process.poll() is not None or time.monotonic() > deadline:
            stop_process_group(process)
            raise RuntimeError(f"L'API Medialog+ ne démarre pas :\n{log_path.read_text(errors='replace')}")
        time.sleep(0.1)


@contextmanager
def scenario(
    name: str,
    *,
    broker_url: str,
    monkeypatch: pytest.MonkeyPatch,
    count: int = BATCH,
) -> Iterator[tuple[Scenario, str]]:
    """Set up the scenario's world; yields it with the Medialog+ API's direct URL.

    The worker is not started: the test starts it (`start_worker`) once it has put
    its fault injector (if any) between the worker and the API, through
    `scenario.worker_env["MEDIALOG_API_URL"]`.
    """
    import backoffice_worker.celery_app as celery_module
    from rxapp.settings import get_settings

    log_dir = VAR_DIR / "chaos" / name
    shutil.rmtree(log_dir, ignore_errors=True)  # the logs of this run only (faults are counted there)
    log_dir.mkdir(parents=True)
    queue = f"chaos-{name}-{os.getpid()}-{time.monotonic_ns()}"
    smtp = SmtpServer()
    smtp.start()
    world: Scenario | None = None
    with scratch_database(f"chaos_{name}") as database_url:
        upgrade_to_head(database_url)
        engine = make_engine(database_url)
        api, direct_api_url = _serve_api(database_url, log_dir / "api.log")
        try:
            with Session(engine) as session:
                population = create_population(session=session, count=count)
                session.commit()
            world = Scenario(name, engine, population, smtp, log_dir)
            world.worker_env = dict(
                os.environ,
                DATABASE_URL=database_url,
                REDIS_URL=broker_url,
                CELERY_QUEUE=queue,
                SMTP_URL=smtp.url,
                MEDIALOG_API_URL=f"{direct_api_url}/api/medialog",
                MEDIALOG_AUTO_PROCESS_AFTER="0",
                OVERLAP_SCAN_INTERVAL="3600",
                PYTHONUNBUFFERED="1",
            )
            # The test process queues tasks with the app's own code, on this broker and queue.
            monkeypatch.setenv("REDIS_URL", broker_url)
            monkeypatch.setenv("CELERY_QUEUE", queue)
            get_settings.cache_clear()
            monkeypatch.setattr(celery_module, "app", celery_module.make_celery())
            yield world, direct_api_url
        finally:
            for worker in world.workers if world is not None else ():
                stop_process_group(worker, warm=True)
            # The broker may be a private Redis already stopped.
            with suppress(Exception), celery_module.app.connection_for_write() as connection:
                connection.default_channel.queue_delete(queue)
            get_settings.cache_clear()
            stop_process_group(api)
            smtp.stop()
            engine.dispose()
