"""The flood scenario shared by the abuse test and `make bench` (part "flood").

A well-behaved tab loads pages before, during and after a flood sent by another
process (`python -m tests.support.flood`); the app's /metrics and its logs say what
the flood cost: events processed, sockets closed, bytes of log written.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import statistics
import sys
import time
from pathlib import Path

import httpx

from rxapp.settings import PROJECT_ROOT
from tests.support.processes import RunningApp
from tests.support.reflex_socket import ReflexTab, event_name

VICTIM_ADDRESS = "198.51.100.10"
ATTACKER_ADDRESS = "203.0.113.9"


def metric(app: RunningApp | str, name: str, **labels: str) -> float:
    """The sum of a metric's samples (those with `labels`), read from the app's /metrics
    (`app`: the running app, or the base URL of one web instance)."""
    url = app if isinstance(app, str) else app.url
    total = 0.0
    for _ in range(20):
        # prometheus_client's multiprocess files can be read while a worker writes a new series
        # (a 500 from /metrics): read again.
        response = httpx.get(f"{url}/metrics", timeout=10)
        if response.status_code == 200:
            break
        time.sleep(0.2)
    assert response.status_code == 200, response.text[-500:]
    for line in response.text.splitlines():
        match = re.match(rf"^{re.escape(name)}(\{{[^}}]*\}})? ([0-9.e+-]+)$", line)
        if match and all(f'{key}="{value}"' in (match.group(1) or "") for key, value in labels.items()):
            total += float(match.group(2))
    return total


def processed_events(app: RunningApp | str) -> float:
    return metric(app, "ameli_event_handler_seconds_count")


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


async def page_loads(tab: ReflexTab, count: int) -> list[float]:
    """`count` page loads (the page's on_load events), each timed to its first update."""
    samples = []
    for _ in range(count):
        latency = await tab.navigate("/", settle=0.1)
        assert latency == latency, tab.errors  # not NaN: the page answered
        samples.append(latency)
    return samples


async def start_flood(
    app: RunningApp, *, forwarded_for: str, name: str, payload: dict, events: int, sockets: int
):
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.support.flood",
        "--url",
        app.url,
        "--sockets",
        str(sockets),
        "--events",
        str(events),
        "--forwarded-for",
        forwarded_for,
        "--name",
        name,
        "--payload",
        json.dumps(payload),
        cwd=PROJECT_ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stderr is not None
    assert (await process.stderr.readline()).strip() == b"ready"
    return process


async def stop_flood(process) -> dict:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()[-2000:]
    return json.loads(out.decode().strip().splitlines()[-1])


async def until(condition, *, timeout: float = 30) -> None:
    """Poll `condition` (a blocking callable, run in a thread) until true."""
    deadline = time.monotonic() + timeout
    while not await asyncio.to_thread(condition):
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.1)


def setvar_attack() -> tuple[str, dict]:
    """The issue's flood: `LoginState.setvar` of a var that does not exist (a public handler; the call fails)."""
    from rxapp.state.login import LoginState  # the app's states: imported only when a flood is measured

    return event_name(LoginState, "setvar"), {"var_name": "no_such_var", "value": 1}


async def measure_flood(
    app: RunningApp,
    security_log: Path,
    *,
    samples: int = 60,
    sockets: int = 8,
    events: int = 400_000,
    rounds: int = 1,
) -> dict:
    """Page loads of a well-behaved tab before, during and after a flood (`setvar_attack`), and what it cost.

    With `rounds` > 1 the phases are interleaved, so that a change of the machine's load
    (other processes on a shared machine) falls on all three alike: each round is a block
    of loads before a flood, during it and after it, `samples // rounds` loads each.
    `sockets=0` is the control: the same measure with no flood at all.

    Returns:
        `before`, `during`, `after` (page-load seconds, `samples` each), `load` (the
        machine's 1-minute load average at the end of each phase's blocks), `flood` (the
        attacker's own figures, summed over the rounds: sent, opened, closed_by_server,
        refused), `processed` (events that reached a handler during the floods, the tab's
        own loads excluded), `closed` (sockets the server closed or refused, from its
        metrics), and where the floods' lines start and end in the server's output and in
        the security log (`output_span`, `security_span`: byte offsets).
    """
    victim = ReflexTab(app.url, headers={"X-Forwarded-For": VICTIM_ADDRESS})
    await victim.connect("/")
    await page_loads(victim, 10)  # warm-up: the worker's first loads are slower
    phases: dict[str, list[float]] = {"before": [], "during": [], "after": []}
    load: dict[str, list[float]] = {"before": [], "during": [], "after": []}
    totals = {"sent": 0, "opened": 0, "closed_by_server": 0, "refused": 0}
    processed = closed = 0.0
    output_from, security_from = _size(app.log_path), _size(security_log)
    name, payload = setvar_attack()
    for round_ in range(rounds):
        block = samples // rounds + (1 if round_ < samples % rounds else 0)

        async def measured(phase: str, count: int = block) -> None:
            phases[phase] += await page_loads(victim, count)
            load[phase].append(os.getloadavg()[0])

        await measured("before")
        processed_from = processed_events(app)
        closed_from = metric(app, "ameli_sockets_closed_total")
        attacker = await start_flood(
            app, forwarded_for=ATTACKER_ADDRESS, name=name, payload=payload, events=events, sockets=sockets
        )
        if sockets:
            # The flood is under way once the server has closed or refused a first socket.
            await until(lambda: metric(app, "ameli_sockets_closed_total") > closed_from)  # noqa: B023
        await measured("during")
        flood = await stop_flood(attacker)
        for key in totals:
            totals[key] += flood[key]
        # The victim's own loads during the flood are not the flood's.
        processed += processed_events(app) - processed_from - block
        # Counted by the server: a flooding client may not read the close before it is told to stop.
        closed += metric(app, "ameli_sockets_closed_total") - closed_from
        output_span, security_span = (output_from, _size(app.log_path)), (security_from, _size(security_log))
        await measured("after")
    await victim.close()
    return {
        **phases,
        "load": {phase: statistics.mean(values) for phase, values in load.items()},
        "flood": totals,
        "processed": processed,
        "closed": closed,
        "output_span": output_span,
        "security_span": security_span,
    }


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


def milliseconds(samples: list[float]) -> dict[str, float]:
    """p50 and p95 of page-load samples, in milliseconds."""
    return {"p50": 1000 * statistics.median(samples), "p95": 1000 * p95(samples)}
