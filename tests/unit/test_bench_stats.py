"""The benchmark percentiles are nearest-rank: p99 of 100 samples is the 99th, not the maximum."""

from __future__ import annotations

import random

import pytest

from bench.stats import latency_summary, percentile

HUNDRED = list(range(1, 101))


@pytest.mark.parametrize(
    ("fraction", "expected"), [(0.50, 50), (0.95, 95), (0.99, 99), (0.07, 7), (1.0, 100)]
)
def test_percentiles_of_one_to_a_hundred_are_their_rank(fraction: float, expected: int) -> None:
    assert percentile(HUNDRED, fraction) == expected


def test_order_of_the_samples_does_not_matter() -> None:
    shuffled = HUNDRED[:]
    random.Random(14).shuffle(shuffled)
    assert [percentile(shuffled, f) for f in (0.5, 0.95, 0.99)] == [50, 95, 99]


@pytest.mark.parametrize(
    ("samples", "fraction", "expected"),
    [
        ([7.0], 0.5, 7.0),
        ([7.0], 0.99, 7.0),
        ([1.0, 2.0], 0.5, 1.0),
        ([1.0, 2.0], 0.51, 2.0),
        ([1.0, 2.0, 3.0], 0.5, 2.0),
        ([1.0, 2.0, 3.0, 4.0, 5.0], 0.95, 5.0),
        ([1.0, 2.0, 3.0, 4.0, 5.0], 0.2, 1.0),
        ([1.0, 2.0, 3.0, 4.0, 5.0], 0.0, 1.0),
        ([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0], 0.5, 3.0),
        ([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0], 0.9, 6.0),
    ],
)
def test_percentiles_of_small_samples(samples: list[float], fraction: float, expected: float) -> None:
    assert percentile(samples, fraction) == expected


def test_latency_summary_reports_nearest_rank_percentiles_and_the_maximum() -> None:
    summary = latency_summary([float(v) for v in HUNDRED])
    assert summary == {"count": 100, "p50": 50.0, "p95": 95.0, "p99": 99.0, "max": 100.0}


def test_no_samples_is_an_error() -> None:
    with pytest.raises(ValueError, match="aucune mesure"):
        percentile([], 0.5)
