"""The NOEMIE flow simulation of the back office (demos and tests)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func
from sqlmodel import Session, col, select

from rxapp.models import (
    Beneficiary,
    ComplementaryContract,
    ComplementaryOrganisation,
    InsuredPerson,
    utcnow,
)
from rxapp.models._types import persisted_id
from rxapp.services.medialog.access import AffaireRefused, agent_for
from rxapp.services.nir import NirError, parse_nir


def simulate_noemie_flow(
    *,
    session: Session,
    agent_id: int,
    nir: str,
    beneficiary_first_name: str,
    organisation_id: int,
    start: date | None = None,
    member_number: str = "",
) -> int:
    """ "Simuler un flux NOEMIE": a new OC contract for a beneficiary of the agent's CPAM.

    The periodic scan then detects the overlap and blocks both links.

    Raises:
        AffaireRefused: unknown person or organisation, or another CPAM's insured.
    """
    agent = agent_for(session, agent_id)
    try:
        body = parse_nir(nir).body
    except NirError as error:
        raise AffaireRefused(str(error)) from None
    beneficiary = session.exec(
        select(Beneficiary)
        .join(InsuredPerson, col(InsuredPerson.id) == Beneficiary.insured_id)
        .where(
            InsuredPerson.nir == body,
            InsuredPerson.cpam_id == agent.cpam_id,
            func.upper(Beneficiary.first_name) == beneficiary_first_name.strip().upper(),
        )
    ).first()
    organisation = session.get(ComplementaryOrganisation, organisation_id)
    if beneficiary is None or organisation is None:
        raise AffaireRefused("Bénéficiaire ou organisme inconnu pour votre CPAM.")
    contract = ComplementaryContract(
        beneficiary_id=persisted_id(beneficiary),
        organisation_id=persisted_id(organisation),
        member_number=member_number,
        start_date=start or utcnow().date(),
    )
    session.add(contract)
    session.flush()
    return persisted_id(contract)


def organisations_for_simulation(*, session: Session) -> list[tuple[int, str]]:
    """Every complementary organisation, by name, for the NOEMIE simulation form."""
    rows = session.exec(
        select(ComplementaryOrganisation.id, ComplementaryOrganisation.name).order_by(
            col(ComplementaryOrganisation.name)
        )
    ).all()
    return [(organisation_id, name) for organisation_id, name in rows if organisation_id is not None]
