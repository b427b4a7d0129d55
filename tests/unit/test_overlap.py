"""Unit tests for `rxapp.services.overlap`: periods and overlap detection, no database."""

from __future__ import annotations

from datetime import date

import pytest

from rxapp.models import ComplementaryContract, NoemieLink
from rxapp.services.overlap import Overlap, find_overlaps, periods_overlap


def _contract(
    contract_id: int,
    beneficiary_id: int,
    start: date,
    end: date | None = None,
    link: NoemieLink = NoemieLink.ACTIVE,
    organisation_id: int = 1,
) -> ComplementaryContract:
    """A detached-from-database contract with the fields the overlap rules read."""
    return ComplementaryContract(
        id=contract_id,
        beneficiary_id=beneficiary_id,
        organisation_id=organisation_id,
        start_date=start,
        end_date=end,
        noemie_link=link,
    )


def _ids(overlaps: list[Overlap]) -> list[tuple[int, int, int]]:
    """(beneficiary, first contract, second contract) of each overlap."""
    return [(o.beneficiary_id, o.first.id, o.second.id) for o in overlaps]


# --- periods_overlap -------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        # the same day on both sides counts as overlap (closed periods)
        ((date(2024, 1, 1), date(2024, 6, 30)), (date(2024, 6, 30), date(2024, 12, 31)), True),
        # one ends the day before the other starts: no overlap
        ((date(2024, 1, 1), date(2024, 6, 29)), (date(2024, 6, 30), date(2024, 12, 31)), False),
        # far apart
        ((date(2018, 1, 1), date(2018, 12, 31)), (date(2024, 1, 1), date(2024, 12, 31)), False),
        # one within the other
        ((date(2020, 1, 1), date(2025, 1, 1)), (date(2022, 3, 1), date(2022, 3, 31)), True),
        # identical single day
        ((date(2024, 5, 5), date(2024, 5, 5)), (date(2024, 5, 5), date(2024, 5, 5)), True),
        # both open-ended
        ((date(2018, 7, 1), None), (date(2020, 1, 1), None), True),
        # open-ended one starting on the last day of the other
        ((date(2018, 7, 1), date(2019, 12, 31)), (date(2019, 12, 31), None), True),
        # open-ended one starting the day after the other ends
        ((date(2018, 7, 1), date(2019, 12, 31)), (date(2020, 1, 1), None), False),
        # open-ended one starting long before a closed one
        ((date(2000, 1, 1), None), (date(2024, 1, 1), date(2024, 1, 31)), True),
    ],
)
def test_periods_overlap(a: tuple[date, date | None], b: tuple[date, date | None], expected: bool) -> None:
    """Closed periods overlap when they share a day; the answer is symmetric."""
    assert periods_overlap(a[0], a[1], b[0], b[1]) is expected
    assert periods_overlap(b[0], b[1], a[0], a[1]) is expected


# --- find_overlaps ---------------------------------------------------------------


def test_find_overlaps_with_no_contracts() -> None:
    assert find_overlaps([]) == []


def test_find_overlaps_single_contract_is_no_overlap() -> None:
    assert find_overlaps([_contract(1, 10, date(2020, 1, 1))]) == []


def test_find_overlaps_two_open_contracts_of_one_beneficiary() -> None:
    older = _contract(1, 10, date(2018, 7, 1), organisation_id=1)
    newer = _contract(2, 10, date(2020, 1, 1), organisation_id=2)

    overlaps = find_overlaps([newer, older])

    assert len(overlaps) == 1
    overlap = overlaps[0]
    assert overlap.beneficiary_id == 10
    assert overlap.first is older
    assert overlap.second is newer
    assert overlap.contract_ids == frozenset({1, 2})


def test_find_overlaps_ignores_successive_contracts() -> None:
    """An old contract ended the day before the new one started is no overlap."""
    old = _contract(1, 10, date(2018, 7, 1), date(2019, 12, 31))
    new = _contract(2, 10, date(2020, 1, 1))
    assert find_overlaps([old, new]) == []


def test_find_overlaps_ignores_detached_contracts() -> None:
    """A contract detached from NOEMIE claims nothing, whatever its dates."""
    kept = _contract(1, 10, date(2018, 7, 1))
    detached = _contract(2, 10, date(2020, 1, 1), link=NoemieLink.DETACHED)
    assert find_overlaps([kept, detached]) == []
    assert find_overlaps([detached, _contract(3, 10, date(2021, 1, 1), link=NoemieLink.DETACHED)]) == []


def test_find_overlaps_counts_blocked_contracts() -> None:
    """A blocked link still claims NOEMIE: the overlap stays until one is detached."""
    first = _contract(1, 10, date(2018, 7, 1), link=NoemieLink.BLOCKED)
    second = _contract(2, 10, date(2020, 1, 1), link=NoemieLink.BLOCKED)
    assert _ids(find_overlaps([first, second])) == [(10, 1, 2)]


def test_find_overlaps_never_pairs_different_beneficiaries() -> None:
    """Same dates and same OC, but two people: no overlap."""
    contracts = [
        _contract(1, 10, date(2020, 1, 1), organisation_id=7),
        _contract(2, 11, date(2020, 1, 1), organisation_id=7),
        _contract(3, 12, date(2019, 1, 1), organisation_id=8),
    ]
    assert find_overlaps(contracts) == []


def test_find_overlaps_three_overlapping_contracts_give_three_pairs() -> None:
    contracts = [
        _contract(3, 10, date(2022, 1, 1)),
        _contract(1, 10, date(2018, 1, 1)),
        _contract(2, 10, date(2020, 1, 1)),
    ]
    overlaps = find_overlaps(contracts)
    assert _ids(overlaps) == [(10, 1, 2), (10, 1, 3), (10, 2, 3)]
    assert {o.contract_ids for o in overlaps} == {
        frozenset({1, 2}),
        frozenset({1, 3}),
        frozenset({2, 3}),
    }


def test_find_overlaps_only_pairs_that_share_a_day() -> None:
    """A chain: A overlaps B, B overlaps C, but A ended before C started."""
    a = _contract(1, 10, date(2020, 1, 1), date(2021, 12, 31))
    b = _contract(2, 10, date(2021, 6, 1))
    c = _contract(3, 10, date(2022, 1, 1))
    assert _ids(find_overlaps([c, b, a])) == [(10, 1, 2), (10, 2, 3)]


def test_find_overlaps_orders_by_beneficiary_then_start_date() -> None:
    contracts = [
        _contract(6, 30, date(2025, 1, 1)),
        _contract(5, 30, date(2015, 1, 1)),
        _contract(4, 20, date(2024, 9, 1)),
        _contract(3, 20, date(2019, 1, 1)),
        _contract(2, 10, date(2021, 10, 1)),
        _contract(1, 10, date(2025, 1, 1)),
    ]
    overlaps = find_overlaps(contracts)

    assert _ids(overlaps) == [(10, 2, 1), (20, 3, 4), (30, 5, 6)]
    for overlap in overlaps:
        assert overlap.first.start_date <= overlap.second.start_date


def test_find_overlaps_same_start_date_is_ordered_by_id() -> None:
    contracts = [_contract(9, 10, date(2020, 1, 1)), _contract(4, 10, date(2020, 1, 1))]
    assert _ids(find_overlaps(contracts)) == [(10, 4, 9)]


def test_find_overlaps_accepts_any_iterable() -> None:
    contracts = (c for c in [_contract(1, 10, date(2020, 1, 1)), _contract(2, 10, date(2021, 1, 1))])
    assert _ids(find_overlaps(contracts)) == [(10, 1, 2)]
