"""Read models of the agent's work: the queue and the supervision dashboard.

Plain values only (statuses, moments, counts): the agent pages word and format them
(`rxapp.state.admin.views`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func
from sqlalchemy import select as sa_select
from sqlalchemy.orm import Mapped
from sqlmodel import Session, col, select

from rxapp.models import (
    Account,
    Affaire,
    AffaireStatus,
    Agent,
    InsuredPerson,
    OverlapRequest,
    OverlapRequestLine,
    SatisfactionAnswer,
    utcnow,
)
from rxapp.models._types import persisted_id
from rxapp.services.medialog.access import agent_for, visible_scope
from rxapp.services.medialog.creation import PROCESSING_TARGET

PER_PAGE = 20


@dataclass(frozen=True)
class QueueRow:
    affaire_id: int
    reference: str
    insured: str  # "first last", as recorded
    beneficiaries: int
    created: datetime
    due: datetime
    status: AffaireStatus
    owner: str  # "" when nobody has taken it
    is_complex: bool
    overdue: bool


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    total: int
    page: int
    pages: int


QUEUE_STATUSES = {
    "nouvelle": AffaireStatus.NEW,
    "en_cours": AffaireStatus.IN_PROGRESS,
    "cloturee": AffaireStatus.CLOSED,
}


def affaire_queue(
    *,
    session: Session,
    agent_id: int,
    status: str = "",
    complex_only: bool = False,
    overdue_only: bool = False,
    page: int = 1,
    per_page: int = PER_PAGE,
    now: datetime | None = None,
) -> QueuePage:
    """The agent's queue, filtered and paginated by the database: two queries.

    Unknown filter values are ignored (everything is shown) rather than failing.
    """
    now = now or utcnow()
    agent = agent_for(session, agent_id)
    conditions: list[ColumnElement[bool] | Mapped[bool]] = [visible_scope(session, agent)]
    if status in QUEUE_STATUSES:
        conditions.append(col(Affaire.status) == QUEUE_STATUSES[status])
    if complex_only:
        conditions.append(col(Affaire.is_complex))
    if overdue_only:
        conditions.append(col(Affaire.due_at) < now)
        conditions.append(col(Affaire.status) != AffaireStatus.CLOSED)
    total = session.exec(select(func.count()).select_from(Affaire).where(*conditions)).one()
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    # Counted for the page's rows only (a correlated subquery): grouping every request
    # line of the database would cost a full scan at each page load.
    beneficiaries = (
        select(func.count())
        .select_from(OverlapRequestLine)
        .where(col(OverlapRequestLine.request_id) == col(Affaire.request_id))
        .correlate(Affaire)
        .scalar_subquery()
    )
    # The page's ids first, from the queue index alone; only those rows are then joined to the
    # person and the owner. Joining before the OFFSET would join every skipped row too.
    page_ids = (
        sa_select(Affaire.id)  # type: ignore[call-overload]
        .where(*conditions)
        .order_by(col(Affaire.due_at), col(Affaire.id))
        .offset((page - 1) * per_page)
        .limit(per_page)
        .subquery("page_ids")
    )
    rows = session.execute(  # five columns: beyond sqlmodel.select's typed overloads
        sa_select(
            Affaire, InsuredPerson.first_name, InsuredPerson.last_name, beneficiaries, Agent.display_name
        )  # type: ignore[call-overload]
        .join(page_ids, page_ids.c.id == Affaire.id)
        .join(OverlapRequest, col(OverlapRequest.id) == Affaire.request_id)
        .join(Account, col(Account.id) == OverlapRequest.account_id)
        .join(InsuredPerson, col(InsuredPerson.id) == Account.insured_id)
        .join(Agent, col(Agent.id) == Affaire.owner_agent_id, isouter=True)
        .order_by(col(Affaire.due_at), col(Affaire.id))
    ).all()
    return QueuePage(
        [
            QueueRow(
                affaire_id=persisted_id(affaire),
                reference=affaire.reference,
                insured=f"{first} {last}",
                beneficiaries=count or 0,
                created=affaire.created_at,
                due=affaire.due_at,
                status=affaire.status,
                owner=owner or "",
                is_complex=affaire.is_complex,
                overdue=affaire.status is not AffaireStatus.CLOSED and affaire.due_at < now,
            )
            for affaire, first, last, count, owner in rows
        ],
        total,
        page,
        pages,
    )


@dataclass(frozen=True)
class Supervision:
    backlog: dict[AffaireStatus, int]  # every status, in declaration order
    processing_days: list[tuple[int | None, int]]  # (bucket's upper bound in days, None beyond), count
    within_target: int
    closed: int
    satisfaction_rate: float | None
    satisfaction_answers: int
    overdue: list[QueueRow]


# The upper bounds, in days, of the processing-time buckets within the 7-day target; a last
# bucket (None) holds the affaires closed beyond it.
PROCESSING_BUCKETS: tuple[int, ...] = (1, 3, 5, PROCESSING_TARGET.days)


def supervision_for(*, session: Session, agent_id: int, now: datetime | None = None) -> Supervision:
    """Backlog by status, processing time against the 7-day target, satisfaction, overdue."""
    now = now or utcnow()
    agent = agent_for(session, agent_id)
    scope = visible_scope(session, agent)
    backlog = dict.fromkeys(AffaireStatus, 0)
    for status, count in session.exec(
        select(Affaire.status, func.count()).where(scope).group_by(col(Affaire.status))
    ).all():
        backlog[AffaireStatus(status)] = count
    durations = session.exec(
        select(Affaire.created_at, Affaire.closed_at).where(scope, col(Affaire.closed_at).is_not(None))
    ).all()
    buckets: dict[int | None, int] = dict.fromkeys([*PROCESSING_BUCKETS, None], 0)
    for created_at, closed_at in durations:
        if closed_at is None:  # excluded by the query; keeps the type checker informed
            continue
        days = (closed_at - created_at).total_seconds() / 86400
        buckets[next((limit for limit in PROCESSING_BUCKETS if days <= limit), None)] += 1
    answers = session.exec(
        select(SatisfactionAnswer.satisfied)
        .join(Affaire, col(Affaire.request_id) == SatisfactionAnswer.request_id)
        .where(scope)
    ).all()
    overdue = affaire_queue(session=session, agent_id=agent_id, overdue_only=True, per_page=50, now=now).rows
    return Supervision(
        backlog=backlog,
        processing_days=list(buckets.items()),
        within_target=len(durations) - buckets[None],
        closed=len(durations),
        satisfaction_rate=(sum(answers) / len(answers)) if answers else None,
        satisfaction_answers=len(answers),
        overdue=overdue,
    )
