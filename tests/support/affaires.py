"""Closed (or open) affaires written straight into the database, for the délais figures."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from rxapp.models import (
    Account,
    Affaire,
    AffaireStatus,
    Cpam,
    InsuredPerson,
    OverlapRequest,
    RequestStatus,
)
from rxapp.models._types import persisted_id
from rxapp.services import medialog, teleservice
from rxapp.services.nir import parse_nir
from tests.support.population import choices_for

_numbers = itertools.count(1)


def account_id_of(session: Session, nir: str) -> int:
    """The account of the demo persona with this NIR (as the README prints it)."""
    return session.exec(
        select(Account.id)
        .join(InsuredPerson, col(InsuredPerson.id) == col(Account.insured_id))
        .where(InsuredPerson.nir == parse_nir(nir).body)
    ).one()


def cpam_id_of(session: Session, code_organisme: str) -> int:
    return persisted_id(session.exec(select(Cpam).where(Cpam.code_organisme == code_organisme)).one())


def add_affaire(
    session: Session,
    *,
    account_id: int,
    cpam_id: int,
    created_at: datetime,
    closed_after: timedelta | None,
    is_complex: bool = False,
) -> Affaire:
    """An affaire and its request; closed `closed_after` its creation, or still new when None."""
    number = next(_numbers)
    closed_at = created_at + closed_after if closed_after is not None else None
    request = OverlapRequest(
        reference=f"DEM-TEST-{number:06d}",
        account_id=account_id,
        created_at=created_at,
        status=RequestStatus.PENDING if closed_at is None else RequestStatus.PROCESSED,
        processed_at=closed_at,
    )
    session.add(request)
    session.flush()
    affaire = Affaire(
        reference=f"AFF-TEST-{number:06d}",
        request_id=persisted_id(request),
        cpam_id=cpam_id,
        is_complex=is_complex,
        status=AffaireStatus.NEW if closed_at is None else AffaireStatus.CLOSED,
        created_at=created_at,
        due_at=created_at + timedelta(days=7),
        closed_at=closed_at,
    )
    session.add(affaire)
    session.flush()
    return affaire


def submitted_affaire(session: Session, nir: str) -> Affaire:
    """The persona with this NIR (13 characters, or as the README prints it) keeps the first
    option for every beneficiary through the teleservice's own rules; the request is committed,
    then Medialog+ creates its affaire (committed too)."""
    account_id = account_id_of(session, nir)
    request = teleservice.submit_request(
        session=session, account_id=account_id, choices=choices_for(session=session, account_id=account_id)
    )
    session.commit()
    created = medialog.create_affaire_for_request(session=session, request_id=request.request_id)
    session.commit()
    affaire = session.get(Affaire, created.affaire_id)
    assert affaire is not None
    return affaire


def closed_affaire_of(session: Session, nir: str) -> int:
    """Record the account's request (first option for each beneficiary), create its affaire and
    close it as an agent does; the caller commits. The closure's side effects are left to
    the worker's `deliver_closure`. Returns the affaire id."""
    account_id = account_id_of(session, nir)
    request = teleservice.submit_request(
        session=session, account_id=account_id, choices=choices_for(session=session, account_id=account_id)
    )
    affaire_id = medialog.create_affaire_for_request(
        session=session, request_id=request.request_id
    ).affaire_id
    for action in (medialog.take_charge, medialog.update_progres, medialog.close_affaire):
        action(session=session, agent_id=None, affaire_id=affaire_id)
    return affaire_id
