"""Medialog+, the CPAMs' CRM: affaires created from requests, and what agents do with them."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlalchemy import update as sa_update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from rxapp.models import (
    Account,
    Affaire,
    AffaireEvent,
    AffaireOutbox,
    AffaireStatus,
    Agent,
    Beneficiary,
    ComplementaryContract,
    ComplementaryOrganisation,
    Cpam,
    InsuredPerson,
    Message,
    NoemieLink,
    Notification,
    OverlapRequest,
    OverlapRequestLine,
    RequestStatus,
    SatisfactionAnswer,
    utcnow,
)
from rxapp.models._types import persisted_id
from rxapp.services.audit import ACCESS_REFUSED, security_event
from rxapp.services.formatting import format_day, format_moment
from rxapp.services.overlap import find_overlaps
from rxapp.services.routing import DIGNE_CODE_ORGANISME, Routing, route_affaire
from rxapp.services.teleservice import ACKNOWLEDGEMENT_SUBJECT, acknowledgement_text

PROCESSING_TARGET = timedelta(days=7)
PER_PAGE = 20
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
CLOSURE_TITLE = "Ma complémentaire santé"
CLOSURE_BODY = (
    "Nous avons bien enregistré votre organisme complémentaire. "
    "La transmission automatique des paiements à votre complémentaire est activée."
)

NOT_YOURS = "Cette affaire ne relève pas de votre CPAM."
CLOSED = "Cette affaire est clôturée : aucune action n'est plus possible."
UPDATE_FIRST = "Mettez à jour Progrès avant de clôturer l'affaire."
REASON_NEEDED = "Indiquez le motif du transfert (300 caractères au plus)."
ALREADY_DIGNE = "Cette affaire est déjà traitée par la CPAM de Digne."


class AffaireRefused(Exception):
    """An action an agent may not do; the message is French and safe to show."""


# --- creation (the Medialog+ API) -------------------------------------------------


@dataclass(frozen=True)
class AffaireCreated:
    affaire_id: int
    reference: str
    cpam_code: str
    is_complex: bool
    created: bool


def _new_reference(now: datetime) -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return f"AFF-{now:%Y}-" + "".join(secrets.choice(alphabet) for _ in range(8))


def _digne(session: Session) -> Cpam:
    return session.exec(select(Cpam).where(Cpam.code_organisme == DIGNE_CODE_ORGANISME)).one()


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

    Also stores the affaire reference on the request, completes its outbox row
    and deposits the acknowledgement message if the account has not had it.
    The caller commits.

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
        _acknowledge(session, [requests[request_id][0] for request_id in done], now)
    return results


def _insert_affaires(
    session: Session, routings: dict[int, Routing], now: datetime
) -> dict[int, tuple[Affaire, bool]]:
    """Insert one affaire per request, in one statement; if a concurrent delivery inserted one
    first (unique request id), again one by one, keeping the existing affaire for that request."""

    def affaire_for(request_id: int) -> Affaire:
        routing = routings[request_id]
        return Affaire(
            reference=_new_reference(now),
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


def _acknowledge(session: Session, requests: list[OverlapRequest], now: datetime) -> None:
    """Deposit the acknowledgement message of each request whose account has not had it."""
    received = session.exec(
        select(Message.account_id, Message.body).where(
            col(Message.account_id).in_({request.account_id for request in requests}),
            Message.subject == ACKNOWLEDGEMENT_SUBJECT,
        )
    ).all()
    for request in requests:
        if not any(
            account_id == request.account_id and request.reference in body for account_id, body in received
        ):
            session.add(
                Message(
                    account_id=request.account_id,
                    created_at=now,
                    subject=ACKNOWLEDGEMENT_SUBJECT,
                    body=acknowledgement_text(request.reference, request.created_at),
                )
            )


# --- access and actions -------------------------------------------------------------


def _agent(session: Session, agent_id: int) -> Agent:
    agent = session.get(Agent, agent_id)
    if agent is None:
        raise AffaireRefused(NOT_YOURS)
    return agent


def visible_to(agent: Agent, digne_cpam_id: int):
    """The SQL condition for the affaires an agent may see and act on."""
    if agent.cpam_id == digne_cpam_id:
        return (col(Affaire.cpam_id) == agent.cpam_id) | col(Affaire.is_complex)
    return col(Affaire.cpam_id) == agent.cpam_id


def _affaire_for(session: Session, agent: Agent, affaire_id: object, action: str) -> Affaire:
    affaire = session.get(Affaire, affaire_id) if isinstance(affaire_id, int) else None
    digne_id = persisted_id(_digne(session))
    allowed = affaire is not None and (
        affaire.cpam_id == agent.cpam_id or (agent.cpam_id == digne_id and affaire.is_complex)
    )
    if affaire is None or not allowed:
        security_event(
            ACCESS_REFUSED,
            action=action,
            agent=agent.login,
            affaire_id=affaire_id if isinstance(affaire_id, int) else None,
        )
        raise AffaireRefused(NOT_YOURS)
    return affaire


def _record(
    session: Session, affaire: Affaire, agent_id: int | None, action: str, now: datetime, detail: str = ""
) -> None:
    session.add(
        AffaireEvent(
            affaire_id=persisted_id(affaire), at=now, agent_id=agent_id, action=action, detail=detail
        )
    )


def _open_affaire(session: Session, agent_id: int | None, affaire_id: object, action: str) -> Affaire:
    if agent_id is None:  # the worker playing the agent
        affaire = session.get(Affaire, affaire_id) if isinstance(affaire_id, int) else None
        if affaire is None:
            raise AffaireRefused(NOT_YOURS)
    else:
        affaire = _affaire_for(session, _agent(session, agent_id), affaire_id, action)
    # Read again and locked until the commit: of two closings at the same moment (two
    # auto-processing runs, an agent and the worker), the second one finds it CLOSED.
    session.flush()
    session.refresh(affaire, with_for_update=True)
    if affaire.status is AffaireStatus.CLOSED:
        raise AffaireRefused(CLOSED)
    return affaire


def take_charge(
    *, session: Session, agent_id: int | None, affaire_id: object, now: datetime | None = None
) -> None:
    """ "Prendre en charge": the agent becomes the owner; the affaire is in progress."""
    now = now or utcnow()
    affaire = _open_affaire(session, agent_id, affaire_id, "PRISE_EN_CHARGE")
    affaire.owner_agent_id = agent_id
    affaire.status = AffaireStatus.IN_PROGRESS
    session.add(affaire)
    _record(session, affaire, agent_id, "PRISE_EN_CHARGE", now)


def update_progres(
    *, session: Session, agent_id: int | None, affaire_id: object, now: datetime | None = None
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
    _record(session, affaire, agent_id, "MAJ_PROGRES", now, f"{len(lines)} bénéficiaire(s)")


def close_affaire(
    *, session: Session, agent_id: int | None, affaire_id: object, now: datetime | None = None
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
    _record(session, affaire, agent_id, "CLOTURE", now)
    return persisted_id(affaire)


def transfer_to_digne(
    *, session: Session, agent_id: int, affaire_id: object, reason: object, now: datetime | None = None
) -> None:
    """ "Transférer à la CPAM de Digne", with a reason: the affaire becomes complex."""
    if not isinstance(reason, str) or not reason.strip() or len(reason) > 300:
        raise AffaireRefused(REASON_NEEDED)
    now = now or utcnow()
    affaire = _open_affaire(session, agent_id, affaire_id, "TRANSFERT")
    digne = _digne(session)
    if affaire.cpam_id == digne.id:
        raise AffaireRefused(ALREADY_DIGNE)
    affaire.cpam_id = persisted_id(digne)
    affaire.is_complex = True
    affaire.owner_agent_id = None
    affaire.status = AffaireStatus.NEW
    session.add(affaire)
    _record(session, affaire, agent_id, "TRANSFERT", now, reason.strip())


# --- closure side effects (worker) ----------------------------------------------------


@dataclass(frozen=True)
class ClosureRecipient:
    email: str
    first_name: str
    last_name: str


def _locked_affaire(session: Session, affaire_id: int) -> Affaire | None:
    """The affaire, read again and locked (SELECT ... FOR UPDATE) until the commit."""
    return session.get(Affaire, affaire_id, with_for_update=True, populate_existing=True)


def apply_closure(*, session: Session, affaire_id: int, now: datetime | None = None) -> bool:
    """Notify the account and mark the request processed, once. Returns False if already done.

    Raises:
        LookupError: unknown or not closed affaire.
    """
    affaire = _locked_affaire(session, affaire_id)
    if affaire is None or affaire.status is not AffaireStatus.CLOSED:
        raise LookupError(affaire_id)
    if affaire.notified_at is not None:
        return False
    now = now or utcnow()
    request = session.get(OverlapRequest, affaire.request_id)
    account = session.get(Account, request.account_id) if request else None
    if request is None or account is None:
        raise LookupError(affaire_id)
    session.add(
        Notification(account_id=persisted_id(account), created_at=now, title=CLOSURE_TITLE, body=CLOSURE_BODY)
    )
    request.status = RequestStatus.PROCESSED
    request.processed_at = now
    session.add(request)
    contracts = session.exec(
        select(ComplementaryContract)
        .join(Beneficiary, col(Beneficiary.id) == ComplementaryContract.beneficiary_id)
        .where(Beneficiary.insured_id == account.insured_id)
    ).all()
    account.has_unresolved_overlap = bool(find_overlaps(contracts))
    session.add(account)
    affaire.notified_at = now
    session.add(affaire)
    _record(session, affaire, None, "NOTIFICATION", now)
    return True


def closure_recipient(*, session: Session, affaire_id: int) -> ClosureRecipient | None:
    """Who gets the avis de dépôt, or None when it was already sent.

    The affaire stays locked until the caller's commit: the caller sends the
    email and calls `mark_avis_sent` in the same transaction, so a concurrent
    delivery of the same closure waits, then finds the email sent.
    """
    affaire = _locked_affaire(session, affaire_id)
    if affaire is None or affaire.status is not AffaireStatus.CLOSED or affaire.avis_sent_at is not None:
        return None
    insured = session.exec(
        select(InsuredPerson)
        .join(Account, col(Account.insured_id) == InsuredPerson.id)
        .join(OverlapRequest, col(OverlapRequest.account_id) == Account.id)
        .where(OverlapRequest.id == affaire.request_id)
    ).one()
    return ClosureRecipient(insured.email, insured.first_name, insured.last_name)


def mark_avis_sent(*, session: Session, affaire_id: int, now: datetime | None = None) -> None:
    affaire = session.get(Affaire, affaire_id)
    if affaire is not None and affaire.avis_sent_at is None:
        now = now or utcnow()
        affaire.avis_sent_at = now
        session.add(affaire)
        _record(session, affaire, None, "AVIS_DE_DEPOT", now)


# --- the queue, the detail, the supervision -------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    affaire_id: int
    reference: str
    insured: str
    beneficiaries: int
    created: str
    due: str
    status: str
    owner: str
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
    agent = _agent(session, agent_id)
    conditions = [visible_to(agent, persisted_id(_digne(session)))]
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
                insured=f"{first} {last}".upper(),
                beneficiaries=count or 0,
                created=format_day(affaire.created_at),
                due=format_day(affaire.due_at),
                status=STATUS_LABELS[affaire.status],
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
class ContractSummary:
    organisation: str
    member_number: str
    start: str


@dataclass(frozen=True)
class DetailLine:
    beneficiary: str
    birth_date: str
    chosen: ContractSummary
    rejected: ContractSummary


@dataclass(frozen=True)
class HistoryEntry:
    at: str
    agent: str
    action: str
    detail: str


@dataclass(frozen=True)
class AffaireDetail:
    affaire_id: int
    reference: str
    insured: str
    nir: str
    cpam: str
    status: str
    owner: str
    is_complex: bool
    created: str
    due: str
    progres_updated: bool
    closed: bool
    lines: list[DetailLine]
    history: list[HistoryEntry]


def affaire_detail(*, session: Session, agent_id: int, affaire_id: object) -> AffaireDetail:
    """One affaire with its lines and history, for an agent allowed to see it.

    Raises:
        AffaireRefused: unknown, or another CPAM's affaire.
    """
    agent = _agent(session, agent_id)
    affaire = _affaire_for(session, agent, affaire_id, "CONSULTATION")
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
        contract.id: ContractSummary(
            organisation.name, contract.member_number, format_day(contract.start_date)
        )
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
    from rxapp.services.nir import format_nir

    return AffaireDetail(
        affaire_id=persisted_id(affaire),
        reference=affaire.reference,
        insured=f"{insured.first_name} {insured.last_name}".upper(),
        nir=format_nir(insured.nir),
        cpam=cpam.name if cpam else "",
        status=STATUS_LABELS[affaire.status],
        owner=owner.display_name if owner else "",
        is_complex=affaire.is_complex,
        created=format_moment(affaire.created_at),
        due=format_day(affaire.due_at),
        progres_updated=affaire.progres_updated_at is not None,
        closed=affaire.status is AffaireStatus.CLOSED,
        lines=[
            DetailLine(
                f"{beneficiary.first_name} {beneficiary.last_name}".upper(),
                format_day(beneficiary.birth_date),
                contracts[line.chosen_contract_id],
                contracts[line.rejected_contract_id],
            )
            for line, beneficiary in lines
        ],
        history=[
            HistoryEntry(
                format_moment(event.at),
                name or "Medialog+ (automatique)",
                ACTION_LABELS.get(event.action, event.action),
                event.detail,
            )
            for event, name in history
        ],
    )


@dataclass(frozen=True)
class Supervision:
    backlog: dict[str, int]
    processing_days: list[tuple[str, int]]
    within_target: int
    closed: int
    satisfaction_rate: float | None
    satisfaction_answers: int
    overdue: list[QueueRow]


PROCESSING_BUCKETS = (("≤ 1 j", 1), ("2-3 j", 3), ("4-5 j", 5), ("6-7 j", 7))


def supervision_for(*, session: Session, agent_id: int, now: datetime | None = None) -> Supervision:
    """Backlog by status, processing time against the 7-day target, satisfaction, overdue."""
    now = now or utcnow()
    agent = _agent(session, agent_id)
    scope = visible_to(agent, persisted_id(_digne(session)))
    backlog = {label: 0 for label in STATUS_LABELS.values()}
    for status, count in session.exec(
        select(Affaire.status, func.count()).where(scope).group_by(col(Affaire.status))
    ).all():
        backlog[STATUS_LABELS[AffaireStatus(status)]] = count
    durations = session.exec(
        select(Affaire.created_at, Affaire.closed_at).where(scope, col(Affaire.closed_at).is_not(None))
    ).all()
    buckets = {label: 0 for label, _ in PROCESSING_BUCKETS} | {"> 7 j": 0}
    for created_at, closed_at in durations:
        if closed_at is None:  # excluded by the query; keeps the type checker informed
            continue
        days = (closed_at - created_at).total_seconds() / 86400
        label = next((name for name, limit in PROCESSING_BUCKETS if days <= limit), "> 7 j")
        buckets[label] += 1
    answers = session.exec(
        select(SatisfactionAnswer.satisfied)
        .join(Affaire, col(Affaire.request_id) == SatisfactionAnswer.request_id)
        .where(scope)
    ).all()
    overdue = affaire_queue(session=session, agent_id=agent_id, overdue_only=True, per_page=50, now=now).rows
    return Supervision(
        backlog=backlog,
        processing_days=list(buckets.items()),
        within_target=len(durations) - buckets["> 7 j"],
        closed=len(durations),
        satisfaction_rate=(sum(answers) / len(answers)) if answers else None,
        satisfaction_answers=len(answers),
        overdue=overdue,
    )


# --- simulation (demos and tests) ------------------------------------------------------


def simulate_noemie_flow(
    *,
    session: Session,
    agent_id: int,
    nir: object,
    beneficiary_first_name: object,
    organisation_id: object,
    start: date | None = None,
    member_number: str = "",
) -> int:
    """ "Simuler un flux NOEMIE": a new OC contract for a beneficiary of the agent's CPAM.

    The periodic scan then detects the overlap and blocks both links.

    Raises:
        AffaireRefused: unknown person or organisation, or another CPAM's insured.
    """
    from rxapp.services.nir import NirError, parse_nir

    agent = _agent(session, agent_id)
    if (
        not isinstance(nir, str)
        or not isinstance(beneficiary_first_name, str)
        or not isinstance(organisation_id, int)
    ):
        raise AffaireRefused("Renseignez le NIR, le bénéficiaire et l'organisme.")
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


def affaire_id_for_reference(*, session: Session, agent_id: int, reference: object) -> int:
    """The id behind a public reference, for an agent allowed to see that affaire.

    Raises:
        AffaireRefused: unknown reference, or another CPAM's affaire (the same answer).
    """
    if not isinstance(reference, str) or len(reference) > 20:
        raise AffaireRefused(NOT_YOURS)
    affaire_id = session.exec(select(Affaire.id).where(Affaire.reference == reference)).first()
    agent = _agent(session, agent_id)
    return persisted_id(_affaire_for(session, agent, affaire_id, "CONSULTATION"))


def organisations_for_simulation(*, session: Session) -> list[tuple[int, str]]:
    """Every complementary organisation, by name, for the NOEMIE simulation form."""
    rows = session.exec(
        select(ComplementaryOrganisation.id, ComplementaryOrganisation.name).order_by(
            col(ComplementaryOrganisation.name)
        )
    ).all()
    return [(organisation_id, name) for organisation_id, name in rows if organisation_id is not None]


@dataclass(frozen=True)
class AgentProfile:
    agent_id: int
    name: str
    cpam: str


def agent_profile(*, session: Session, agent: Agent) -> AgentProfile:
    """The agent's name and CPAM, for the back-office header."""
    cpam = session.get(Cpam, agent.cpam_id)
    return AgentProfile(persisted_id(agent), agent.display_name, cpam.name if cpam else "")
