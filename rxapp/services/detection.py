"""The periodic scan that finds overlaps and blocks their NOEMIE links."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session, col, select

from rxapp.models import Account, Beneficiary, ComplementaryContract, NoemieLink
from rxapp.services.overlap import find_overlaps


@dataclass(frozen=True)
class DetectionBatch:
    """What one batch of the scan did; `next_after` is None at the end."""

    beneficiaries_scanned: int
    links_blocked: int
    accounts_flagged: int
    next_after: int | None


def detect_overlaps_batch(
    *, session: Session, after_beneficiary_id: int = 0, limit: int = 500
) -> DetectionBatch:
    """Scan the next `limit` beneficiaries (by id) after `after_beneficiary_id`.

    Both contracts of every overlap get a blocked NOEMIE link, and the owning
    account's unresolved-overlap flag is raised. Running it again changes
    nothing (idempotent). The caller commits.
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    beneficiaries = session.exec(
        select(Beneficiary.id, Beneficiary.insured_id)
        .where(col(Beneficiary.id) > after_beneficiary_id)
        .order_by(col(Beneficiary.id))
        .limit(limit)
    ).all()
    if not beneficiaries:
        return DetectionBatch(0, 0, 0, None)
    insured_of = dict(beneficiaries)
    contracts = session.exec(
        select(ComplementaryContract).where(
            col(ComplementaryContract.beneficiary_id).in_(list(insured_of)),
            ComplementaryContract.noemie_link != NoemieLink.DETACHED,
        )
    ).all()
    blocked = 0
    insured_in_overlap: set[int] = set()
    for overlap in find_overlaps(contracts):
        insured_in_overlap.add(insured_of[overlap.beneficiary_id])
        for contract in (overlap.first, overlap.second):
            if contract.noemie_link is NoemieLink.ACTIVE:
                contract.noemie_link = NoemieLink.BLOCKED
                session.add(contract)
                blocked += 1
    flagged = 0
    if insured_in_overlap:
        accounts = session.exec(
            select(Account).where(
                col(Account.insured_id).in_(insured_in_overlap),
                col(Account.has_unresolved_overlap).is_(False),
            )
        ).all()
        for account in accounts:
            account.has_unresolved_overlap = True
            session.add(account)
            flagged += 1
    last_id = beneficiaries[-1][0]
    return DetectionBatch(
        len(beneficiaries), blocked, flagged, last_id if len(beneficiaries) == limit else None
    )


def scan_in_batches(run_batch: Callable[[int], DetectionBatch]) -> DetectionBatch:
    """Run the scan over every beneficiary, batch after batch; totals returned.

    Args:
        run_batch: runs one batch after the given beneficiary id, in the
            transaction the caller chose (one for the whole scan, or one per batch).
    """
    after, scanned, blocked, flagged = 0, 0, 0, 0
    while True:
        batch = run_batch(after)
        scanned += batch.beneficiaries_scanned
        blocked += batch.links_blocked
        flagged += batch.accounts_flagged
        if batch.next_after is None:
            return DetectionBatch(scanned, blocked, flagged, None)
        after = batch.next_after


def detect_overlaps(*, session: Session, batch_size: int = 500) -> DetectionBatch:
    """Run the scan over every beneficiary in the caller's transaction, flushing after each batch."""

    def run_batch(after: int) -> DetectionBatch:
        batch = detect_overlaps_batch(session=session, after_beneficiary_id=after, limit=batch_size)
        session.flush()
        return batch

    return scan_in_batches(run_batch)
