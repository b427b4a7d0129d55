"""Creating affaires from requests (the Medialog+ API) and routing them to a CPAM."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update as sa_update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from rxapp.models import (
    Account,
    Affaire,
    AffaireEvent,
    AffaireOutbox,
    Beneficiary,
    ComplementaryContract,
    Cpam,
    InsuredPerson,
    OverlapRequest,
    OverlapRequestLine,
    utcnow,
)
from rxapp.models._types import persisted_id
from rxapp.services.references import public_reference
from rxapp.services.routing import DIGNE_CODE_ORGANISME, Routing, route_affaire

PROCESSING_TARGET = timedelta(days=7)


@dataclass(frozen=True)
class AffaireCreated:
    affaire_id: int
    reference: str
    cpam_code: str
    is_complex: bool
    created: bool


def _created(affaire: Affaire, cpam_codes: dict[int, str], created: bool) -> AffaireCreated:
    return AffaireCreated(
        persisted_id(affaire),
        affaire.reference,
        cpam_codes.get(affaire.cpam_id, ""),
        affaire.is_complex,
        created,
    )


def create_affaire_for_request(
    *, session: Session, request_id: int, now: datetime | None = None
) -> AffaireCreated:
    """Create the affaire of a request, routed to the right CPAM; idempotent by request.

    Also stores the affaire reference on the request and completes its outbox
    row (the acknowledgement message was deposited with the request, by
    `teleservice.submit_request`). The caller commits.

    Raises:
        LookupError: the request does not exist.
    """
    created = create_affaires_for_requests(session=session, request_ids=[request_id], now=now)
    if request_id not in created:
        raise LookupError(request_id)
    return created[request_id]


def create_affaires_for_requests(
    *, session: Session, request_ids: Sequence[int], now: datetime | None = None
) -> dict[int, AffaireCreated]:
    """Create the affaires of several requests at once; idempotent by request.

    Each request gets what `create_affaire_for_request` gives it, in a fixed
    number of statements whatever the number of requests (reads by `IN`, one
    multi-row insert per table). Requests that already have their affaire get
    it back (`created` False); unknown requests are left out of the result.
    The caller commits.
    """
    wanted = list(dict.fromkeys(request_ids))
    cpam_codes: dict[int, str] = {
        cpam_id: code for cpam_id, code in session.exec(select(Cpam.id, Cpam.code_organisme)).all() if cpam_id
    }
    results = {
        affaire.request_id: _created(affaire, cpam_codes, created=False)
        for affaire in session.exec(select(Affaire).where(col(Affaire.request_id).in_(wanted))).all()
    }
    missing = [request_id for request_id in wanted if request_id not in results]
    if not missing:
        return results
    now = now or utcnow()
    requests = {
        persisted_id(request): (request, insured_cpam_id)
        for request, insured_cpam_id in session.exec(
            select(OverlapRequest, InsuredPerson.cpam_id)
            .join(Account, col(Account.id) == OverlapRequest.account_id)
            .join(InsuredPerson, col(InsuredPerson.id) == Account.insured_id)
            .where(col(OverlapRequest.id).in_(missing))
        ).all()
        if insured_cpam_id is not None
    }
    chosen: dict[int, list[tuple[int | None, str]]] = {request_id: [] for request_id in requests}
    for request_id, beneficiary_cpam_id, member_number in session.exec(
        select(OverlapRequestLine.request_id, Beneficiary.cpam_id, ComplementaryContract.member_number)
        .join(Beneficiary, col(Beneficiary.id) == OverlapRequestLine.beneficiary_id)
        .join(ComplementaryContract, col(ComplementaryContract.id) == OverlapRequestLine.chosen_contract_id)
        .where(col(OverlapRequestLine.request_id).in_(list(requests)))
    ).all():
        chosen[request_id].append((beneficiary_cpam_id, member_number))
    digne_id = next(cpam_id for cpam_id, code in cpam_codes.items() if code == DIGNE_CODE_ORGANISME)
    routings = {
        request_id: route_affaire(
            insured_cpam_id=insured_cpam_id,
            digne_cpam_id=digne_id,
            chosen_member_numbers=[number for _, number in chosen[request_id]],
            beneficiary_cpam_ids=[cpam_id for cpam_id, _ in chosen[request_id]],
        )
        for request_id, (_, insured_cpam_id) in requests.items()
    }
    inserted = _insert_affaires(session, routings, now)
    for request_id, (affaire, created) in inserted.items():
        if not created:  # a concurrent delivery created it first
            results[request_id] = _created(affaire, cpam_codes, created=False)
            continue
        routing = routings[request_id]
        detail = "Cas complexe : " + " ".join(routing.reasons) if routing.is_complex else "Cas simple"
        session.add(AffaireEvent(affaire_id=persisted_id(affaire), at=now, action="CREATION", detail=detail))
        request = requests[request_id][0]
        request.affaire_reference = affaire.reference
        session.add(request)
        results[request_id] = _created(affaire, cpam_codes, created=True)
    done = [request_id for request_id, result in results.items() if result.created]
    if done:
        session.execute(
            sa_update(AffaireOutbox)
            .where(col(AffaireOutbox.request_id).in_(done), col(AffaireOutbox.done_at).is_(None))
            .values(done_at=now)
            .execution_options(synchronize_session=False)
        )
    return results


def _insert_affaires(
    session: Session, routings: dict[int, Routing], now: datetime
) -> dict[int, tuple[Affaire, bool]]:
    """Insert one affaire per request, in one statement; if a concurrent delivery inserted one
    first (unique request id), again one by one, keeping the existing affaire for that request."""

    def affaire_for(request_id: int) -> Affaire:
        routing = routings[request_id]
        return Affaire(
            reference=public_reference("AFF", now),
            request_id=request_id,
            cpam_id=routing.cpam_id,
            is_complex=routing.is_complex,
            created_at=now,
            due_at=now + PROCESSING_TARGET,
        )

    affaires = {request_id: affaire_for(request_id) for request_id in routings}
    try:
        with session.begin_nested():
            session.add_all(affaires.values())
            session.flush()
        return {request_id: (affaire, True) for request_id, affaire in affaires.items()}
    except IntegrityError:
        pass
    inserted = {}
    for request_id in routings:
        affaire = affaire_for(request_id)
        try:
            with session.begin_nested():
                session.add(affaire)
                session.flush()
            inserted[request_id] = (affaire, True)
        except IntegrityError:
            # The same request delivered twice at the same moment: one affaire.
            existing = session.exec(select(Affaire).where(Affaire.request_id == request_id)).one()
            inserted[request_id] = (existing, False)
    return inserted
