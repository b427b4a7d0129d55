"""What the cluster tests share: which instance serves a tab, and waiting on conditions."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from tests.cluster.conftest import RunningCluster
from tests.support.flood_scenario import processed_events

T = TypeVar("T")


def events_on(cluster: RunningCluster, index: int) -> float:
    """How many Reflex events web instance `index` has handled (its own /metrics, read directly)."""
    return processed_events(cluster.plan.web_url(index))


def events_per_instance(cluster: RunningCluster) -> list[float]:
    return [events_on(cluster, index) for index in range(len(cluster.plan.web_ports))]


def until(condition: Callable[[], T], *, timeout: float, message: str, interval: float = 0.2) -> T:
    """`condition()` once it is truthy; fails naming `message` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"Délai dépassé ({timeout} s) : {message}")
        time.sleep(interval)
