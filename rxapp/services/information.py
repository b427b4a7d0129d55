"""The "Vos informations" page: the insured, their dependants and their OCs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from rxapp.models import (
    Beneficiary,
    ComplementaryContract,
    ComplementaryOrganisation,
    Cpam,
    NoemieLink,
    OverlapRequest,
    OverlapRequestLine,
    Regime,
    RequestStatus,
)
from rxapp.models._types import persisted_id
from rxapp.services.account_holder import account_holder


@dataclass(frozen=True)
class PersonInformation:
    first_name: str
    birth_date: date
    is_insured: bool
    requested_at: datetime | None  # set while a request for this person is pending
    organisations: tuple[str, ...]
    transmission_blocked: bool

    @property
    def request_pending(self) -> bool:
        return self.requested_at is not None


@dataclass(frozen=True)
class InformationView:
    first_name: str
    last_name: str
    nir: str  # the 13 characters as stored, without the key
    rights_open: bool
    cpam_name: str | None  # None for an insured of a partner regime
    cpam_code: str
    regime: Regime
    doctor: str
    doctor_specialty: str
    doctor_declared_on: date | None
    persons: tuple[PersonInformation, ...]


def information_for(*, session: Session, account_id: int, today: date | None = None) -> InformationView:
    """Everything the page shows, in four queries whatever the family size."""
    today = today or date.today()
    _, insured = account_holder(session, account_id)
    cpam = session.get(Cpam, insured.cpam_id) if insured.cpam_id else None
    beneficiaries = session.exec(
        select(Beneficiary)
        .where(Beneficiary.insured_id == insured.id)
        .order_by(col(Beneficiary.is_insured).desc(), col(Beneficiary.birth_date))
    ).all()
    contracts = session.exec(
        select(
            ComplementaryContract.beneficiary_id,
            ComplementaryOrganisation.name,
            ComplementaryContract.noemie_link,
        )
        .join(
            ComplementaryOrganisation,
            col(ComplementaryOrganisation.id) == ComplementaryContract.organisation_id,
        )
        .join(Beneficiary, col(Beneficiary.id) == ComplementaryContract.beneficiary_id)
        .where(
            Beneficiary.insured_id == insured.id,
            ComplementaryContract.noemie_link != NoemieLink.DETACHED,
            col(ComplementaryContract.start_date) <= today,
        )
        .order_by(col(ComplementaryContract.id))
    ).all()
    pending = session.exec(
        select(OverlapRequestLine.beneficiary_id, OverlapRequest.created_at)
        .join(OverlapRequest, col(OverlapRequest.id) == OverlapRequestLine.request_id)
        .where(OverlapRequest.account_id == account_id, OverlapRequest.status == RequestStatus.PENDING)
    ).all()
    requested_at = {beneficiary_id: created_at for beneficiary_id, created_at in pending}
    persons = []
    for beneficiary in beneficiaries:
        beneficiary_id = persisted_id(beneficiary)
        own = [(name, link) for owner, name, link in contracts if owner == beneficiary_id]
        persons.append(
            PersonInformation(
                first_name=beneficiary.first_name,
                birth_date=beneficiary.birth_date,
                is_insured=beneficiary.is_insured,
                requested_at=requested_at.get(beneficiary_id),
                organisations=tuple(name for name, _ in own),
                transmission_blocked=any(link is NoemieLink.BLOCKED for _, link in own),
            )
        )
    return InformationView(
        first_name=insured.first_name,
        last_name=insured.last_name,
        nir=insured.nir,
        rights_open=insured.rights_open,
        cpam_name=cpam.name if cpam else None,
        cpam_code=cpam.code_organisme if cpam else "",
        regime=insured.regime,
        doctor=insured.treating_doctor or "",
        doctor_specialty=insured.treating_doctor_specialty or "",
        doctor_declared_on=insured.treating_doctor_declared_on,
        persons=tuple(persons),
    )
