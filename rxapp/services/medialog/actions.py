"""What an agent does with an affaire: take charge, update Progrès, close, transfer to Digne."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from rxapp.models import (
    Affaire,
    AffaireStatus,
    ComplementaryContract,
    NoemieLink,
    OverlapRequestLine,
    utcnow,
)
from rxapp.models._types import persisted_id
from rxapp.services.medialog.access import (
    CLOSED,
    NOT_YOURS,
    AffaireRefused,
    affaire_for_agent,
    agent_for,
    digne_cpam,
    record_event,
)

UPDATE_FIRST = "Mettez à jour Progrès avant de clôturer l'affaire."
MAX_TRANSFER_REASON = 300
REASON_NEEDED = f"Indiquez le motif du transfert ({MAX_TRANSFER_REASON} caractères au plus)."
ALREADY_DIGNE = "Cette affaire est déjà traitée par la CPAM de Digne."


def _open_affaire(session: Session, agent_id: int | None, affaire_id: int, action: str) -> Affaire:
    if agent_id is None:  # the worker playing the agent
        affaire = session.get(Affaire, affaire_id)
        if affaire is None:
            raise AffaireRefused(NOT_YOURS)
    else:
        affaire = affaire_for_agent(session, agent_for(session, agent_id), affaire_id, action)
    # Read again and locked until the commit: of two closings at the same moment (two
    # auto-processing runs, an agent and the worker), the second one finds it CLOSED.
    session.flush()
    session.refresh(affaire, with_for_update=True)
    if affaire.status is AffaireStatus.CLOSED:
        raise AffaireRefused(CLOSED)
    return affaire


def take_charge(
    *, session: Session, agent_id: int | None, affaire_id: int, now: datetime | None = None
) -> None:
    """ "Prendre en charge": the agent becomes the owner; the affaire is in progress."""
    now = now or utcnow()
    affaire = _open_affaire(session, agent_id, affaire_id, "PRISE_EN_CHARGE")
    affaire.owner_agent_id = agent_id
    affaire.status = AffaireStatus.IN_PROGRESS
    session.add(affaire)
    record_event(session, affaire, agent_id, "PRISE_EN_CHARGE", now)


def update_progres(
    *, session: Session, agent_id: int | None, affaire_id: int, now: datetime | None = None
) -> None:
    """ "Mettre à jour Progrès": apply the choice to the beneficiary database.

    The chosen contract's NOEMIE link becomes active; the rejected contract is
    detached (and ends the day before, so it no longer shows).
    """
    now = now or utcnow()
    affaire = _open_affaire(session, agent_id, affaire_id, "MAJ_PROGRES")
    lines = session.exec(
        select(OverlapRequestLine).where(OverlapRequestLine.request_id == affaire.request_id)
    ).all()
    contract_ids = [line.chosen_contract_id for line in lines] + [line.rejected_contract_id for line in lines]
    contracts = {
        c.id: c
        for c in session.exec(
            select(ComplementaryContract).where(col(ComplementaryContract.id).in_(contract_ids))
        ).all()
    }
    today = now.date()
    for line in lines:
        chosen, rejected = contracts[line.chosen_contract_id], contracts[line.rejected_contract_id]
        chosen.noemie_link = NoemieLink.ACTIVE
        rejected.noemie_link = NoemieLink.DETACHED
        if rejected.end_date is None or rejected.end_date >= today:
            rejected.end_date = max(rejected.start_date, today - timedelta(days=1))
        session.add(chosen)
        session.add(rejected)
    if affaire.status is AffaireStatus.NEW:
        affaire.status = AffaireStatus.IN_PROGRESS
        affaire.owner_agent_id = agent_id
    affaire.progres_updated_at = now
    session.add(affaire)
    record_event(session, affaire, agent_id, "MAJ_PROGRES", now, f"{len(lines)} bénéficiaire(s)")


def close_affaire(
    *, session: Session, agent_id: int | None, affaire_id: int, now: datetime | None = None
) -> int:
    """ "Clôturer l'affaire", only after the Progrès update. Returns the affaire id,
    for the caller to queue the closure tasks after its commit."""
    now = now or utcnow()
    affaire = _open_affaire(session, agent_id, affaire_id, "CLOTURE")
    if affaire.progres_updated_at is None:
        raise AffaireRefused(UPDATE_FIRST)
    affaire.status = AffaireStatus.CLOSED
    affaire.closed_at = now
    if affaire.owner_agent_id is None:
        affaire.owner_agent_id = agent_id
    session.add(affaire)
    record_event(session, affaire, agent_id, "CLOTURE", now)
    return persisted_id(affaire)


def transfer_to_digne(
    *, session: Session, agent_id: int, affaire_id: int, reason: str, now: datetime | None = None
) -> None:
    """ "Transférer à la CPAM de Digne", with a reason: the affaire becomes complex."""
    # A cheap guard stays on the free text: the service tests call it with anything.
    if not isinstance(reason, str) or not reason.strip() or len(reason) > MAX_TRANSFER_REASON:
        raise AffaireRefused(REASON_NEEDED)
    now = now or utcnow()
    affaire = _open_affaire(session, agent_id, affaire_id, "TRANSFERT")
    digne = digne_cpam(session)
    if affaire.cpam_id == digne.id:
        raise AffaireRefused(ALREADY_DIGNE)
    affaire.cpam_id = persisted_id(digne)
    affaire.is_complex = True
    affaire.owner_agent_id = None
    affaire.status = AffaireStatus.NEW
    session.add(affaire)
    record_event(session, affaire, agent_id, "TRANSFERT", now, reason.strip())
