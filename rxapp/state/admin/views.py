"""What the agent pages show: the services' plain values worded and formatted here, once.

One view type per concept (a queue row, a detail line, a history entry, a count); the
states hold these and the pages read them.
"""

from __future__ import annotations

import dataclasses

from rxapp import routes, theme
from rxapp.models import AffaireStatus
from rxapp.services import medialog
from rxapp.services.formatting import format_day, format_moment

STATUS_LABELS = {
    AffaireStatus.NEW: "Nouvelle",
    AffaireStatus.IN_PROGRESS: "En cours",
    AffaireStatus.CLOSED: "Clôturée",
}
ACTION_LABELS = {
    "CREATION": "Création de l'affaire",
    "PRISE_EN_CHARGE": "Prise en charge",
    "MAJ_PROGRES": "Mise à jour de Progrès",
    "CLOTURE": "Clôture de l'affaire",
    "TRANSFERT": "Transfert à la CPAM de Digne",
    "NOTIFICATION": "Notification déposée dans le compte",
    "AVIS_DE_DEPOT": "Avis de dépôt envoyé par e-mail",
}
AUTOMATIC = "Medialog+ (automatique)"
UNASSIGNED = "Non attribuée"


def plural(count: int, singular: str, plural: str) -> str:
    """ "1 affaire", "2 affaires"."""
    return f"{count} {singular if count == 1 else plural}"


def person_name(name: str) -> str:
    """A person's name as the back office prints it: upper case."""
    return name.upper()


def owner_label(owner: str) -> str:
    return owner or UNASSIGNED


def complex_label(is_complex: bool) -> str:
    return "Oui" if is_complex else "Non"


def bucket_label(lower: int, upper: int | None) -> str:
    """ "≤ 1 j", "2-3 j", ... for a processing-time bucket; "> 7 j" beyond the last bound."""
    if upper is None:
        return f"> {lower} j"
    return f"≤ {upper} j" if lower == 0 else f"{lower + 1}-{upper} j"


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
        insured=person_name(row.insured),
        beneficiaries=str(row.beneficiaries),
        created=format_day(row.created),
        due=format_day(row.due),
        status=STATUS_LABELS[row.status],
        owner=owner_label(row.owner),
        complex_label=complex_label(row.is_complex),
        overdue=row.overdue,
    )


def line_view(line: medialog.DetailLine) -> DetailLineView:
    return DetailLineView(
        person_name(line.beneficiary),
        format_day(line.birth_date),
        line.chosen.organisation,
        line.chosen.member_number,
        format_day(line.chosen.start),
        line.rejected.organisation,
        line.rejected.member_number,
        format_day(line.rejected.start),
    )


def history_view(entry: medialog.HistoryEntry) -> HistoryView:
    return HistoryView(
        format_moment(entry.at),
        entry.agent or AUTOMATIC,
        ACTION_LABELS.get(entry.action, entry.action),
        entry.detail,
    )


def backlog_view(backlog: dict[AffaireStatus, int]) -> list[CountView]:
    return [CountView(STATUS_LABELS[status], str(count)) for status, count in backlog.items()]


def processing_views(buckets: list[tuple[int | None, int]]) -> list[CountView]:
    """The processing-time buckets, labelled: "≤ 1 j", "2-3 j", ..., "> 7 j"."""
    views, lower = [], 0
    for upper, count in buckets:
        views.append(CountView(bucket_label(lower, upper), str(count)))
        lower = upper if upper is not None else lower
    return views


def processing_bars(buckets: list[tuple[int | None, int]]) -> list[dict[str, str | int]]:
    """The chart's bars: within the target in the brand colour, beyond it in the error colour."""
    return [
        {
            "label": view.label,
            "affaires": count,
            "fill": theme.BRAND_BLUE if upper is not None else theme.ERROR_BORDER,
        }
        for view, (upper, count) in zip(processing_views(buckets), buckets, strict=True)
    ]


def within_target_text(within_target: int, closed: int) -> str:
    closed_word = "affaire clôturée" if within_target == 1 else "affaires clôturées"
    return f"{within_target} {closed_word} sur {closed} dans le délai de 7 jours"


def satisfaction_text(rate: float | None, answers: int) -> str:
    if rate is None:
        return "Aucune réponse"
    return f"Taux de satisfaction : {round(rate * 100)} % ({plural(answers, 'réponse', 'réponses')})"
