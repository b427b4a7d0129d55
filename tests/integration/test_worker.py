"""The overlap scan, run by a real worker process on real Redis."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlmodel import Session, select

from rxapp.db import make_engine
from rxapp.models import Account, Beneficiary, ComplementaryContract, InsuredPerson, NoemieLink
from rxapp.settings import VAR_DIR
from tests.support.databases import migrate_and_seed, scratch_database
from tests.support.worker import RunningWorker, running_worker, wait_for

JULIE_NIR = "2950701053089"


@pytest.fixture(scope="module")
def worker_database_url() -> Iterator[str]:
    with scratch_database("worker") as url:
        migrate_and_seed(url)
        yield url


@pytest.fixture(scope="module")
def worker(worker_database_url: str) -> Iterator[RunningWorker]:
    with running_worker(worker_database_url, VAR_DIR / "tests" / "worker.log") as running:
        yield running


def test_a_new_overlap_is_blocked_and_flagged_by_the_worker(
    worker: RunningWorker, worker_database_url: str
) -> None:
    engine = make_engine(worker_database_url)
    with Session(engine) as session:
        julie = session.exec(select(InsuredPerson).where(InsuredPerson.nir == JULIE_NIR)).one()
        beneficiary = session.exec(select(Beneficiary).where(Beneficiary.insured_id == julie.id)).one()
        existing = session.exec(
            select(ComplementaryContract).where(ComplementaryContract.beneficiary_id == beneficiary.id)
        ).one()
        assert existing.noemie_link is NoemieLink.ACTIVE
        # A NOEMIE flow connects a second OC while the first is still active.
        session.add(
            ComplementaryContract(
                beneficiary_id=beneficiary.id,
                organisation_id=existing.organisation_id + 1,
                member_number="NEW-001",
                start_date=date(2026, 1, 1),
            )
        )
        session.commit()
        julie_id = julie.id
        beneficiary_id = beneficiary.id

    worker.send("backoffice.detect_overlaps")

    def blocked_links() -> list[NoemieLink]:
        with Session(engine) as session:
            links = session.exec(
                select(ComplementaryContract.noemie_link).where(
                    ComplementaryContract.beneficiary_id == beneficiary_id
                )
            ).all()
            return links if all(link is NoemieLink.BLOCKED for link in links) else []

    assert (
        wait_for(blocked_links, message="les deux contrats de Julie PETIT bloqués")
        == [NoemieLink.BLOCKED] * 2
    )
    with Session(engine) as session:
        account = session.exec(select(Account).where(Account.insured_id == julie_id)).one()
        assert account.has_unresolved_overlap is True
    engine.dispose()
