"""Synthetic insured persons for load and chaos tests, each able to use the teleservice.

`create_population` inserts N accounts in a few bulk statements: every insured
has an ameli account (one argon2 hash of `POPULATION_CODE`, computed once), a
valid NIR, a CPAM (Ain or Paris), one dependant, and two overlapping
complementary contracts per beneficiary; the real overlap scan then blocks
their NOEMIE links, so each account is eligible. `submit_choices` records a
choice for each account through the real `submit_request`.

NIRs are those of people born abroad (department 99), a department no demo
persona uses; the `prefix` (000-999) takes the place of the commune, so two
populations with different prefixes never share a NIR.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from rxapp.db import make_engine
from rxapp.models import (
    Account,
    Beneficiary,
    ComplementaryContract,
    ComplementaryOrganisation,
    Cpam,
    InsuredPerson,
    Regime,
)
from rxapp.models._types import persisted_id
from rxapp.services import teleservice
from rxapp.services.demo import AIN, CPAMS, OCS, PARIS
from rxapp.services.detection import detect_overlaps_batch
from rxapp.services.nir import parse_nir
from rxapp.services.security import hash_secret

POPULATION_CODE = "Chaos2026!"
BORN_ABROAD = "99"
MAX_PER_PREFIX = 999 * 12 * 50  # order number x month x year of birth
# Two OCs with member numbers: the affaires are simple (routed to the insured's CPAM).
FIRST_OC, SECOND_OC = "HARMONIE MUTUELLE", "AESIO MUTUELLE"
FIRST_START, SECOND_START = date(2019, 1, 1), date(2025, 3, 1)


@dataclass(frozen=True)
class Population:
    """What a client needs to log in as each synthetic insured."""

    prefix: int
    code: str
    nirs: tuple[str, ...]
    """15 characters each: the 13 of the NIR and its key, as typed at login."""
    account_ids: tuple[int, ...]
    emails: tuple[str, ...]


@functools.cache
def population_code_hash() -> str:
    """The argon2 hash shared by every synthetic account (hashing costs ~50 ms)."""
    return hash_secret(POPULATION_CODE)


def synthetic_nir(prefix: int, index: int) -> tuple[str, date]:
    """The 15-character NIR of the `index`-th person of population `prefix`, and a
    birth date consistent with it."""
    if not 0 <= prefix <= 999 or not 0 <= index < MAX_PER_PREFIX:
        raise ValueError(f"prefix {prefix} or index {index} out of range")
    order, rest = index % 999 + 1, index // 999
    month, year = rest % 12 + 1, 50 + rest // 12
    sex = "1" if index % 2 == 0 else "2"
    nir = parse_nir(f"{sex}{year:02d}{month:02d}{BORN_ABROAD}{prefix:03d}{order:03d}")
    return nir.body + nir.key, date(1900 + year, month, 1 + order % 28)


def used_prefixes(*, session: Session) -> set[int]:
    """The prefixes already taken by synthetic populations in this database."""
    rows = session.exec(
        select(func.substr(InsuredPerson.nir, 8, 3)).where(
            func.substr(InsuredPerson.nir, 6, 2) == BORN_ABROAD
        )
    ).all()
    return {int(value) for value in rows if value.isdigit()}


def _reference_rows(session: Session) -> tuple[dict[str, Cpam], dict[str, ComplementaryOrganisation]]:
    """The demo CPAMs and OCs, created when missing (as the demo seed does)."""
    cpams = {cpam.code_organisme: cpam for cpam in session.exec(select(Cpam)).all()}
    for code, (name, city) in CPAMS.items():
        if code not in cpams:
            cpams[code] = Cpam(code_organisme=code, name=name, city=city)
            session.add(cpams[code])
    ocs = {oc.amc_number: oc for oc in session.exec(select(ComplementaryOrganisation)).all()}
    for name, amc in OCS.items():
        if amc not in ocs:
            ocs[amc] = ComplementaryOrganisation(name=name, amc_number=amc)
            session.add(ocs[amc])
    session.flush()
    return cpams, {name: ocs[amc] for name, amc in OCS.items()}


def create_population(*, session: Session, count: int, prefix: int | None = None) -> Population:
    """Insert `count` eligible insured persons with their accounts; the caller commits.

    Args:
        session: where to insert.
        count: how many accounts.
        prefix: 0-999, distinct for each population of a database; by default the
            smallest one not used yet.

    Raises:
        ValueError: `prefix` is already used, or `count` is out of range.
    """
    if not 0 < count <= MAX_PER_PREFIX:
        raise ValueError(f"count must be between 1 and {MAX_PER_PREFIX}")
    taken = used_prefixes(session=session)
    if prefix is None:
        prefix = min(set(range(1000)) - taken)
    elif prefix in taken:
        raise ValueError(f"prefix {prefix} is already used in this database")
    cpams, ocs = _reference_rows(session)
    cpam_ids = [persisted_id(cpams[AIN]), persisted_id(cpams[PARIS])]
    people = [synthetic_nir(prefix, index) for index in range(count)]
    insured = [
        InsuredPerson(
            nir=nir[:13],
            nir_key=nir[13:],
            first_name=f"ASSURE{index:05d}",
            last_name=f"CHAOS{prefix:03d}",
            birth_date=birth_date,
            email=f"assure{index:05d}.p{prefix:03d}@example.fr",
            regime=Regime.CPAM,
            cpam_id=cpam_ids[index % 2],
        )
        for index, (nir, birth_date) in enumerate(people)
    ]
    # SQLAlchemy 2 flushes each table as one batched INSERT ... RETURNING.
    session.add_all(insured)
    session.flush()
    code_hash = population_code_hash()
    accounts = [Account(insured_id=persisted_id(person), code_hash=code_hash) for person in insured]
    beneficiaries = [
        Beneficiary(
            insured_id=persisted_id(person),
            is_insured=is_insured,
            first_name=person.first_name if is_insured else f"ENFANT{index:05d}",
            last_name=person.last_name,
            birth_date=person.birth_date if is_insured else date(2012, 1 + index % 12, 1 + index % 28),
            cpam_id=person.cpam_id,
        )
        for index, person in enumerate(insured)
        for is_insured in (True, False)
    ]
    session.add_all([*accounts, *beneficiaries])
    session.flush()
    session.add_all(
        [
            ComplementaryContract(
                beneficiary_id=persisted_id(beneficiary),
                organisation_id=persisted_id(ocs[oc]),
                member_number=f"{oc[:2]}{persisted_id(beneficiary):08d}",
                start_date=start,
            )
            for beneficiary in beneficiaries
            for oc, start in ((FIRST_OC, FIRST_START), (SECOND_OC, SECOND_START))
        ]
    )
    session.flush()
    _scan_from(session, min(persisted_id(b) for b in beneficiaries))
    return Population(
        prefix=prefix,
        code=POPULATION_CODE,
        nirs=tuple(nir for nir, _ in people),
        account_ids=tuple(persisted_id(account) for account in accounts),
        emails=tuple(person.email for person in insured),
    )


def commit_population(*, database_url: str, count: int) -> Population:
    """`create_population` in the database at `database_url`, committed, on an engine of its own."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            population = create_population(session=session, count=count)
            session.commit()
    finally:
        engine.dispose()
    return population


def _scan_from(session: Session, first_beneficiary_id: int) -> None:
    """The worker's overlap scan, over the new beneficiaries only: blocks their NOEMIE
    links and flags their accounts."""
    after: int | None = first_beneficiary_id - 1
    while after is not None:
        after = detect_overlaps_batch(session=session, after_beneficiary_id=after, limit=1000).next_after
        session.flush()


def choices_for(*, session: Session, account_id: int, option: int = 0) -> dict[str, str]:
    """The choice the selection page would send: option `option` for each beneficiary."""
    situation = teleservice.overlap_situation(session=session, account_id=account_id)
    return {str(b.beneficiary_id): str(b.options[option].contract_id) for b in situation.beneficiaries}


def submit_choices(
    *,
    engine: Engine,
    account_ids: Sequence[int],
    option: int = 0,
    after_commit: Callable[[int], object] | None = None,
) -> list[int]:
    """Record one choice per account as "Confirmer" does: `submit_request`, commit,
    then `after_commit(request_id)` (typically `rxapp.queue.queue_affaire_creation`).

    Each request is its own transaction. Returns the request ids, in order.
    """
    request_ids: list[int] = []
    for account_id in account_ids:
        with Session(engine) as session:
            choices = choices_for(session=session, account_id=account_id, option=option)
            request = teleservice.submit_request(session=session, account_id=account_id, choices=choices)
            session.commit()
        request_ids.append(request.request_id)
        if after_commit is not None:
            after_commit(request.request_id)
    return request_ids
