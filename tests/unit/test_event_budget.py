"""The event budgets' rules (time injected) and the guard in front of Reflex's namespace."""

from __future__ import annotations

import asyncio
import json
import logging
import time

import pytest

from rxapp.abuse.address_budget import MemoryAddressCounter
from rxapp.abuse.guard import EventGuard, Verdict, handshake_address
from rxapp.services.audit import LOGGER as SECURITY_LOGGER
from rxapp.services.event_budget import RefusalTally, TokenBucket, WindowCounter, is_refused_input
from rxapp.settings import Settings

LOGIN = "state.login_state.submit"


def test_a_bucket_allows_its_burst_then_its_rate() -> None:
    bucket = TokenBucket(rate=20, burst=60)
    assert all(bucket.take(0.0) for _ in range(60))
    assert not bucket.take(0.0)
    assert bucket.take(0.05)  # one token back after 1/20 s
    assert not bucket.take(0.05)
    assert all(bucket.take(10.0) for _ in range(60))  # full again after a quiet moment, never more


def test_a_window_counter_starts_again_each_minute() -> None:
    counter = WindowCounter()
    assert [counter.add("a", 60.0 + i) for i in range(3)] == [1, 2, 3]
    assert counter.add("b", 61.0) == 1
    assert counter.add("a", 120.0) == 1


def test_any_number_of_refusals_costs_two_lines_a_minute() -> None:
    tally = RefusalTally()
    lines = [
        line for i in range(10_000) for line in tally.record("tab", 60.0 + i / 1000, reason="over_budget")
    ]
    assert [line.fields for line in lines] == [{"connection": "tab", "reason": "over_budget"}]
    lines = tally.record("tab", 125.0, reason="malformed")
    assert [line.fields for line in lines] == [
        {"connection": "tab", "repeated": 9_999, "last_reason": "over_budget"},
        {"connection": "tab", "reason": "malformed"},
    ]
    assert tally.close("tab") == []  # that minute's only refusal was written already
    assert tally.close("unknown") == []


def _raise_in_own_code() -> None:
    raise TypeError("a bug of ours")


def process_event(handler, **payload) -> None:  # named like Reflex's caller of handlers
    handler(**payload)


def test_a_forged_event_failure_is_input_and_a_failure_in_our_code_is_a_fault() -> None:
    def reflex_like_binding() -> None:
        # Binding arguments fails at the call, before the handler's first line.
        process_event(lambda: None, unexpected=1)

    with pytest.raises(TypeError) as binding:
        reflex_like_binding()
    # The test module is our code only for the frames below `process_event`: none here.
    assert is_refused_input(binding.value)

    with pytest.raises(TypeError) as bug:
        process_event(_raise_in_own_code)
    from pathlib import Path

    assert not is_refused_input(bug.value, own_code=Path(__file__).resolve().parent)
    assert is_refused_input(bug.value, own_code=Path("/nowhere"))
    assert not is_refused_input(RuntimeError("database down"))


def guard(**overrides) -> EventGuard:
    settings = Settings(_env_file=None, **overrides)
    return EventGuard(settings=settings, login_handlers=frozenset({LOGIN}), counter=MemoryAddressCounter())


def environ(peer: str = "127.0.0.1", forwarded: str | None = None) -> dict:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    return {"asgi.scope": {"client": (peer, 1234), "headers": headers}}


def always_known(name: str, payload: dict) -> str | None:
    return None


@pytest.fixture
def security_lines() -> list[dict]:
    lines: list[dict] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(json.loads(record.getMessage()))

    handler = Collect()
    SECURITY_LOGGER.addHandler(handler)
    previous = SECURITY_LOGGER.level
    SECURITY_LOGGER.setLevel(logging.INFO)
    yield lines
    SECURITY_LOGGER.removeHandler(handler)
    SECURITY_LOGGER.setLevel(previous)


def test_handshake_address_believes_forwarded_for_only_from_a_trusted_proxy() -> None:
    trusted = Settings(_env_file=None, trusted_proxies="127.0.0.1").trusted_proxy_networks
    assert handshake_address(environ("127.0.0.1", "203.0.113.9"), trusted) == "203.0.113.9"
    assert handshake_address(environ("192.0.2.1", "203.0.113.9"), trusted) == "192.0.2.1"


def test_a_flooding_connection_is_dropped_then_closed_with_bounded_log_lines(
    security_lines: list[dict],
) -> None:
    async def flood() -> list[Verdict]:
        g = guard(event_burst=5, event_rate=0.001, event_overruns_before_close=10)
        assert await g.admit_connection("sid", environ(), "token")
        packet = {"name": "state.x.handler", "payload": {}}
        return [await g.admit_event("sid", packet, always_known) for _ in range(100)]

    verdicts = asyncio.run(flood())
    assert verdicts[:5] == [Verdict.ADMIT] * 5
    assert verdicts[5:14] == [Verdict.DROP] * 9
    assert verdicts[14] is Verdict.CLOSE
    assert set(verdicts[15:]) == {Verdict.DROP}  # nothing more once closing
    events = [line["event"] for line in security_lines]
    assert events == ["event_refused", "connection_closed"]


def test_malformed_and_unknown_events_are_refused_without_closing(security_lines: list[dict]) -> None:
    async def send() -> list[Verdict]:
        g = guard()
        assert await g.admit_connection("sid", environ(), "token")
        verdicts = [await g.admit_event("sid", packet, always_known) for packet in ("text", [1], {"name": 3})]
        verdicts.append(
            await g.admit_event("sid", {"name": "nope", "payload": {}}, lambda n, p: "unknown_handler")
        )
        verdicts.append(await g.admit_event("sid", {"name": "x", "payload": []}, always_known))
        g.forget("sid")
        return verdicts

    assert asyncio.run(send()) == [Verdict.REFUSE] * 5
    assert [line.get("reason") for line in security_lines] == ["malformed", None]
    assert security_lines[-1]["repeated"] == 4


def test_logins_have_a_stricter_budget_per_connection_and_per_address() -> None:
    async def logins() -> tuple[list[Verdict], list[Verdict]]:
        g = guard(
            login_burst=3, login_rate=0.001, address_logins_per_minute=5, event_overruns_before_close=100
        )
        packet = {"name": LOGIN, "payload": {"form_data": {}}}
        assert await g.admit_connection("one", environ(), "t1")
        first = [await g.admit_event("one", packet, always_known) for _ in range(4)]
        assert await g.admit_connection("two", environ(), "t2")
        second = [await g.admit_event("two", packet, always_known) for _ in range(3)]
        return first, second

    first, second = asyncio.run(logins())
    assert first == [Verdict.ADMIT] * 3 + [Verdict.DROP]  # the connection's login bucket
    assert second == [Verdict.ADMIT] * 2 + [Verdict.DROP]  # the address's 5 a minute


def test_an_address_over_its_socket_budget_is_refused() -> None:
    async def connect() -> list[bool]:
        g = guard(address_sockets_per_minute=2)
        return [await g.admit_connection(f"s{i}", environ(), f"t{i}") for i in range(3)]

    assert asyncio.run(connect()) == [True, True, False]


def test_importing_the_guard_creates_no_metric() -> None:
    """rxapp/rxapp.py imports it before prometheus_client's multiprocess mode is chosen."""
    import subprocess
    import sys

    code = "import sys, rxapp.abuse, rxapp.state.errors; print('rxapp.metrics' in sys.modules)"
    assert (
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.strip()
        == "False"
    )


def test_a_frame_budget_counts_its_drops_per_minute() -> None:
    from rxapp.abuse.transport import FrameBudget

    frames = FrameBudget(TokenBucket(rate=20, burst=80))
    assert all(frames.admit(0.0, 60.0) for _ in range(80))
    assert not any(frames.admit(0.0, 60.0) for _ in range(10))
    assert (frames.drops, frames.dropped) == (10, 10)
    assert not frames.admit(0.0, 120.0)  # a new minute: its drops start again, the total goes on
    assert (frames.drops, frames.dropped) == (1, 11)


def test_a_cooldown_in_memory_ends_by_itself() -> None:
    from rxapp.abuse.address_budget import Cooldowns

    async def scenario() -> list[bool]:
        cooldowns = Cooldowns(None)
        before = await cooldowns.active("203.0.113.9")
        await cooldowns.start("203.0.113.9", 0.05)
        during = [await cooldowns.active("203.0.113.9"), await cooldowns.active("198.51.100.1")]
        deadline = time.monotonic() + 5
        while await cooldowns.active("203.0.113.9"):  # until it ends, by itself
            assert time.monotonic() < deadline
            await asyncio.sleep(0.01)
        return [before, *during]

    assert asyncio.run(scenario()) == [False, True, False]
