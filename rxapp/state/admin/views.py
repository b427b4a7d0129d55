"""What the agent pages show: display strings only, one view type per concept."""

from __future__ import annotations

import dataclasses

from rxapp import routes
from rxapp.services import medialog


def plural(count: int, singular: str, plural: str) -> str:
    """ "1 affaire", "2 affaires"."""
    return f"{count} {singular if count == 1 else plural}"


@dataclasses.dataclass(frozen=True)
class QueueRowView:
    reference: str
    url: str
    insured: str
    beneficiaries: str
    created: str
    due: str
    status: str
    owner: str
    complex_label: str
    overdue: bool


@dataclasses.dataclass(frozen=True)
class DetailLineView:
    beneficiary: str
    birth_date: str
    chosen_organisation: str
    chosen_member_number: str
    chosen_start: str
    rejected_organisation: str
    rejected_member_number: str
    rejected_start: str


@dataclasses.dataclass(frozen=True)
class HistoryView:
    at: str
    agent: str
    action: str
    detail: str


@dataclasses.dataclass(frozen=True)
class CountView:
    label: str
    count: str


@dataclasses.dataclass(frozen=True)
class OrganisationOption:
    value: str
    name: str


def row_view(row: medialog.QueueRow) -> QueueRowView:
    return QueueRowView(
        reference=row.reference,
        url=routes.admin_affaire_url(row.reference),
        insured=row.insured,
        beneficiaries=str(row.beneficiaries),
        created=row.created,
        due=row.due,
        status=row.status,
        owner=row.owner or "Non attribuée",
        complex_label="Oui" if row.is_complex else "Non",
        overdue=row.overdue,
    )
