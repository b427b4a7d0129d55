"""Processing times (délais de traitement) of a CPAM, from its closed Medialog+ affaires.

The figures shown to an insured person: how many requests were closed over the
last 90 days, the median and 90th-percentile days from the request to its
closure, the share closed within 7 days, and how the closures spread over
delay ranges (the page's chart).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from rxapp.models import Account, Affaire, AffaireStatus, Cpam, InsuredPerson, utcnow
from rxapp.services.routing import DIGNE_CODE_ORGANISME

WINDOW_DAYS = 90
TARGET_DAYS = 7
# The ranges' upper bounds in days (inclusive); a last range holds everything above the last one.
DELAY_LIMITS: tuple[int, ...] = (2, 7, 14, 30)


@dataclass(frozen=True)
class DelayRange:
    """One bar of the chart: the requests closed in more than `over_days` and at most `up_to_days`."""

    over_days: int
    up_to_days: int | None  # None for the last range, which has no upper bound
    count: int


@dataclass(frozen=True)
class DelayFigures:
    """The figures for one set of closed requests (None when there are none)."""

    closed: int
    median_days: float | None
    p90_days: float | None
    within_target_percent: int | None
    ranges: tuple[DelayRange, ...]


@dataclass(frozen=True)
class ProcessingDelays:
    """What the délais page shows: the insured's CPAM and the complex cases handled at Digne."""

    cpam_name: str
    complex_cpam_name: str
    window_days: int
    ordinary: DelayFigures
    complex_cases: DelayFigures


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile: the smallest value with at least `share` of the values at or below it.

    Args:
        values: at least one value, in any order.
        share: between 0 (excluded) and 1.
    """
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def delay_figures(days: Sequence[float]) -> DelayFigures:
    """Closed count, median, 90th percentile, share within 7 days and ranges of `days`.

    Args:
        days: the days from each request to its closure.
    """
    counts: dict[int | None, int] = dict.fromkeys([*DELAY_LIMITS, None], 0)
    for value in days:
        counts[next((limit for limit in DELAY_LIMITS if value <= limit), None)] += 1
    ranges = tuple(
        DelayRange(over, up_to, counts[up_to])
        for over, up_to in zip((0, *DELAY_LIMITS), (*DELAY_LIMITS, None), strict=True)
    )
    if not days:
        return DelayFigures(0, None, None, None, ranges)
    within = sum(1 for value in days if value <= TARGET_DAYS)
    return DelayFigures(
        closed=len(days),
        median_days=float(statistics.median(days)),
        p90_days=percentile(days, 0.9),
        within_target_percent=round(100 * within / len(days)),
        ranges=ranges,
    )


def _aware(moment: datetime) -> datetime:
    # SQLite gives back naive datetimes; every stored time is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


def _closure_days(session: Session, *conditions, since: datetime) -> list[float]:
    rows = session.exec(
        select(Affaire.created_at, Affaire.closed_at).where(
            Affaire.status == AffaireStatus.CLOSED,
            col(Affaire.closed_at).is_not(None),
            col(Affaire.closed_at) >= since,
            *conditions,
        )
    ).all()
    return [
        max(0.0, (_aware(closed_at) - _aware(created_at)).total_seconds() / 86400)
        for created_at, closed_at in rows
        if closed_at is not None
    ]


def processing_delays(
    *, session: Session, cpam_id: int, now: datetime | None = None, window_days: int = WINDOW_DAYS
) -> ProcessingDelays:
    """The processing times of a CPAM's ordinary affaires and of the complex ones (handled at Digne).

    Args:
        session: the database session.
        cpam_id: the insured's CPAM.
        now: the current time (injected by tests).
        window_days: affaires closed within this many days before `now` are counted.

    Raises:
        LookupError: no such CPAM.
    """
    now = now or utcnow()
    cpam = session.get(Cpam, cpam_id)
    if cpam is None:
        raise LookupError(cpam_id)
    digne = session.exec(select(Cpam.name).where(Cpam.code_organisme == DIGNE_CODE_ORGANISME)).first()
    since = now - timedelta(days=window_days)
    ordinary = _closure_days(
        session, Affaire.cpam_id == cpam_id, col(Affaire.is_complex).is_(False), since=since
    )
    complex_cases = _closure_days(session, col(Affaire.is_complex).is_(True), since=since)
    return ProcessingDelays(
        cpam_name=cpam.name,
        complex_cpam_name=digne or "CPAM des Alpes-de-Haute-Provence",
        window_days=window_days,
        ordinary=delay_figures(ordinary),
        complex_cases=delay_figures(complex_cases),
    )


def delays_for_account(
    *, session: Session, account_id: int, now: datetime | None = None
) -> ProcessingDelays | None:
    """The délais of the account's CPAM, or None for an insured of a partner regime (no CPAM).

    Raises:
        LookupError: no such account.
    """
    row = session.exec(
        select(Account.id, InsuredPerson.cpam_id)
        .join(InsuredPerson, col(InsuredPerson.id) == col(Account.insured_id))
        .where(Account.id == account_id)
    ).first()
    if row is None:
        raise LookupError(account_id)
    _, cpam_id = row
    if cpam_id is None:
        return None
    return processing_delays(session=session, cpam_id=cpam_id, now=now)
