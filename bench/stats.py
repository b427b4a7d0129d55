"""Medians, spreads and percentiles, the same way in every part."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence


def summary(values: Sequence[float]) -> dict[str, float | int]:
    """Median of repeated runs with their spread (max - min)."""
    if not values:
        raise ValueError("aucune mesure")
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "spread": max(values) - min(values),
        "runs": len(values),
    }


def percentile(samples: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile: the smallest sample with at least `fraction` of them at or below it.

    Args:
        samples: The measurements, in any order.
        fraction: The percentile as a fraction in 0..1 (0.99 for p99).

    Returns:
        The sample of rank ceil(fraction * n), 1-based and clamped to 1..n.

    Raises:
        ValueError: No samples.
    """
    if not samples:
        raise ValueError("aucune mesure")
    ordered = sorted(samples)
    # The epsilon keeps float noise (0.07 * 100 == 7.000000000000001) from moving up one rank.
    rank = max(1, min(len(ordered), math.ceil(fraction * len(ordered) - 1e-9)))
    return ordered[rank - 1]


def latency_summary(samples_ms: Sequence[float]) -> dict[str, float | int]:
    return {
        "count": len(samples_ms),
        "p50": percentile(samples_ms, 0.50),
        "p95": percentile(samples_ms, 0.95),
        "p99": percentile(samples_ms, 0.99),
        "max": max(samples_ms),
    }


def budget(name: str, measured: float, limit: float, *, at_most: bool = True, unit: str = "") -> dict:
    """One budget line: met when `measured` <= `limit` (or >= with at_most=False)."""
    met = measured <= limit if at_most else measured >= limit
    return {
        "name": name,
        "measured": measured,
        "limit": limit,
        "comparison": "<=" if at_most else ">=",
        "unit": unit,
        "met": met,
    }
