"""Overlap detection (chevauchement) between a beneficiary's contracts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from itertools import combinations

from rxapp.models import ComplementaryContract, NoemieLink


@dataclass(frozen=True)
class Overlap:
    """Two contracts of one beneficiary that both claim the NOEMIE link
    over a common period. `first` is the older contract."""

    beneficiary_id: int
    first: ComplementaryContract
    second: ComplementaryContract

    @property
    def contract_ids(self) -> frozenset[int]:
        return frozenset({self.first.id or 0, self.second.id or 0})


def periods_overlap(start_a: date, end_a: date | None, start_b: date, end_b: date | None) -> bool:
    """Whether two closed periods share at least one day (an open end is infinite)."""
    return (end_b is None or start_a <= end_b) and (end_a is None or start_b <= end_a)


def claims_noemie(contract: ComplementaryContract) -> bool:
    """A contract claims the link unless it has been detached from it."""
    return contract.noemie_link is not NoemieLink.DETACHED


def find_overlaps(contracts: Iterable[ComplementaryContract]) -> list[Overlap]:
    """Every pair of contracts of a same beneficiary in overlap.

    Contracts are grouped by beneficiary; within a group each pair of
    contracts claiming NOEMIE with overlapping periods is an overlap.
    The result is ordered by beneficiary, then by contract start date.
    """
    by_beneficiary: dict[int, list[ComplementaryContract]] = defaultdict(list)
    for contract in contracts:
        if claims_noemie(contract):
            by_beneficiary[contract.beneficiary_id].append(contract)
    overlaps: list[Overlap] = []
    for beneficiary_id in sorted(by_beneficiary):
        ordered = sorted(by_beneficiary[beneficiary_id], key=lambda c: (c.start_date, c.id or 0))
        for first, second in combinations(ordered, 2):
            if periods_overlap(first.start_date, first.end_date, second.start_date, second.end_date):
                overlaps.append(Overlap(beneficiary_id, first, second))
    return overlaps
