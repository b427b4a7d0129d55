"""Read models of one affaire and of the agent: the detail page, a reference lookup, the header profile.

Plain values only (statuses, dates, action codes): the agent pages word and format them
(`rxapp.state.admin.views`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from rxapp.models import (
    Account,
    Affaire,
    AffaireEvent,
    AffaireStatus,
    Agent,
    Beneficiary,
    ComplementaryContract,
    ComplementaryOrganisation,
    Cpam,
    InsuredPerson,
    OverlapRequest,
    OverlapRequestLine,
)
from rxapp.models._types import persisted_id
from rxapp.services.medialog.access import NOT_YOURS, AffaireRefused, affaire_for_agent, agent_for


@dataclass(frozen=True)
class ContractSummary:
    organisation: str
    member_number: str
    start: date


@dataclass(frozen=True)
class DetailLine:
    beneficiary: str  # "first last", as recorded
    birth_date: date
    chosen: ContractSummary
    rejected: ContractSummary


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    agent: str | None  # None: done by Medialog+ itself
    action: str  # the AffaireEvent code: CREATION, PRISE_EN_CHARGE, ...
    detail: str


@dataclass(frozen=True)
class AffaireDetail:
    affaire_id: int
    reference: str
    insured: str  # "first last", as recorded
    nir: str  # the 13 characters, ungrouped
    cpam: str
    status: AffaireStatus
    owner: str  # "" when nobody has taken it
    is_complex: bool
    created: datetime
    due: datetime
    progres_updated: bool
    closed: bool
    lines: list[DetailLine]
    history: list[HistoryEntry]


def affaire_detail(*, session: Session, agent_id: int, affaire_id: int) -> AffaireDetail:
    """One affaire with its lines and history, for an agent allowed to see it.

    Raises:
        AffaireRefused: unknown, or another CPAM's affaire.
    """
    agent = agent_for(session, agent_id)
    affaire = affaire_for_agent(session, agent, affaire_id, "CONSULTATION")
    request = session.get(OverlapRequest, affaire.request_id)
    insured = session.exec(
        select(InsuredPerson)
        .join(Account, col(Account.insured_id) == InsuredPerson.id)
        .where(Account.id == (request.account_id if request else -1))
    ).one()
    cpam = session.get(Cpam, affaire.cpam_id)
    owner = session.get(Agent, affaire.owner_agent_id) if affaire.owner_agent_id else None
    lines = session.exec(
        select(OverlapRequestLine, Beneficiary)
        .join(Beneficiary, col(Beneficiary.id) == OverlapRequestLine.beneficiary_id)
        .where(OverlapRequestLine.request_id == affaire.request_id)
        .order_by(col(Beneficiary.is_insured).desc(), col(Beneficiary.birth_date))
    ).all()
    contract_ids = [line.chosen_contract_id for line, _ in lines] + [
        line.rejected_contract_id for line, _ in lines
    ]
    contracts = {
        contract.id: ContractSummary(organisation.name, contract.member_number, contract.start_date)
        for contract, organisation in session.exec(
            select(ComplementaryContract, ComplementaryOrganisation)
            .join(
                ComplementaryOrganisation,
                col(ComplementaryOrganisation.id) == ComplementaryContract.organisation_id,
            )
            .where(col(ComplementaryContract.id).in_(contract_ids))
        ).all()
    }
    history = session.exec(
        select(AffaireEvent, Agent.display_name)
        .join(Agent, col(Agent.id) == AffaireEvent.agent_id, isouter=True)
        .where(AffaireEvent.affaire_id == affaire.id)
        .order_by(col(AffaireEvent.at), col(AffaireEvent.id))
    ).all()
    return AffaireDetail(
        affaire_id=persisted_id(affaire),
        reference=affaire.reference,
        insured=f"{insured.first_name} {insured.last_name}",
        nir=insured.nir,
        cpam=cpam.name if cpam else "",
        status=affaire.status,
        owner=owner.display_name if owner else "",
        is_complex=affaire.is_complex,
        created=affaire.created_at,
        due=affaire.due_at,
        progres_updated=affaire.progres_updated_at is not None,
        closed=affaire.status is AffaireStatus.CLOSED,
        lines=[
            DetailLine(
                f"{beneficiary.first_name} {beneficiary.last_name}",
                beneficiary.birth_date,
                contracts[line.chosen_contract_id],
                contracts[line.rejected_contract_id],
            )
            for line, beneficiary in lines
        ],
        history=[HistoryEntry(event.at, name, event.action, event.detail) for event, name in history],
    )


def affaire_id_for_reference(*, session: Session, agent_id: int, reference: str) -> int:
    """The id behind a public reference, for an agent allowed to see that affaire.

    Raises:
        AffaireRefused: unknown reference, or another CPAM's affaire (the same answer).
    """
    if len(reference) > 20:
        raise AffaireRefused(NOT_YOURS)
    affaire_id = session.exec(select(Affaire.id).where(Affaire.reference == reference)).first()
    agent = agent_for(session, agent_id)
    return persisted_id(affaire_for_agent(session, agent, affaire_id, "CONSULTATION"))


@dataclass(frozen=True)
class AgentProfile:
    agent_id: int
    name: str
    cpam: str


def agent_profile(*, session: Session, agent: Agent) -> AgentProfile:
    """The agent's name and CPAM, for the back-office header."""
    cpam = session.get(Cpam, agent.cpam_id)
    return AgentProfile(persisted_id(agent), agent.display_name, cpam.name if cpam else "")
