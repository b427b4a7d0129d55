"""The teleservice itself: what an insured may choose, and recording the choice."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from rxapp.models import (
    AffaireOutbox,
    Beneficiary,
    ComplementaryContract,
    ComplementaryOrganisation,
    Message,
    OverlapRequest,
    OverlapRequestLine,
    RequestStatus,
    SatisfactionAnswer,
    SessionKind,
    WebSession,
    utcnow,
)
from rxapp.models._types import persisted_id
from rxapp.services.account_holder import account_holder
from rxapp.services.audit import ACCESS_REFUSED, security_event
from rxapp.services.auth import resolve_session
from rxapp.services.eligibility import Eligibility, EligibilityStatus, eligibility_for
from rxapp.services.formatting import format_day, format_person_name
from rxapp.services.overlap import find_overlaps
from rxapp.services.references import public_reference

ACKNOWLEDGEMENT_SUBJECT = "Accusé de réception de votre demande de choix de complémentaire santé"
NOT_YOUR_SITUATION = "Ce choix ne correspond pas à votre situation. Aucune demande n'a été enregistrée."


class RequestRefused(Exception):
    """The request cannot be recorded; the message is French and safe to show."""

    def __init__(self, message: str, missing: tuple[str, ...] = ()):
        super().__init__(message)
        self.missing = missing


@dataclass(frozen=True)
class ContractOption:
    contract_id: int
    organisation: str
    member_number: str
    start_date: date


@dataclass(frozen=True)
class BeneficiaryInOverlap:
    beneficiary_id: int
    first_name: str
    last_name: str
    birth_date: date
    options: tuple[ContractOption, ...]

    @property
    def full_name(self) -> str:
        return format_person_name(self.first_name, self.last_name)


@dataclass(frozen=True)
class PendingRequest:
    request_id: int
    reference: str
    created_at: datetime
    choices: dict[int, int]


@dataclass(frozen=True)
class OverlapSituation:
    account_id: int
    beneficiaries: tuple[BeneficiaryInOverlap, ...]
    eligibility: Eligibility
    pending: PendingRequest | None
    has_unresolved_overlap: bool

    @property
    def prompts_selection(self) -> bool:
        """Whether the dialog and the banner invite the insured to choose."""
        return self.eligibility.eligible and self.has_unresolved_overlap

    @property
    def is_excluded(self) -> bool:
        """An overlap the insured cannot resolve online (they must call their CPAM)."""
        return self.eligibility.status is EligibilityStatus.EXCLUDED


def pending_request_for(*, session: Session, account_id: int) -> PendingRequest | None:
    """The account's pending request, if any."""
    request = session.exec(
        select(OverlapRequest)
        .where(OverlapRequest.account_id == account_id, OverlapRequest.status == RequestStatus.PENDING)
        .order_by(col(OverlapRequest.created_at).desc())
    ).first()
    if request is None:
        return None
    lines = session.exec(select(OverlapRequestLine).where(OverlapRequestLine.request_id == request.id)).all()
    return PendingRequest(
        persisted_id(request),
        request.reference,
        request.created_at,
        {line.beneficiary_id: line.chosen_contract_id for line in lines},
    )


def situation_of(*, session: Session, web_session: WebSession) -> OverlapSituation:
    """The situation of a live session's account (a gate's read: `@insured_handler(read=...)`)."""
    return overlap_situation(session=session, account_id=persisted_account(web_session))


def pending_request_of(*, session: Session, web_session: WebSession) -> PendingRequest | None:
    """The pending request of a live session's account (a gate's read)."""
    return pending_request_for(session=session, account_id=persisted_account(web_session))


def persisted_account(web_session: WebSession) -> int:
    """The account of an insured session (the gate passes only those)."""
    if web_session.account_id is None:
        raise LookupError("not an insured session")
    return web_session.account_id


def overlap_situation(*, session: Session, account_id: int, now: datetime | None = None) -> OverlapSituation:
    """The account's beneficiaries in overlap, their options, and eligibility.

    Two queries for the contracts whatever the family size, plus the account
    and its pending request.
    """
    account, insured = account_holder(session, account_id)
    rows = session.exec(
        select(Beneficiary, ComplementaryContract, ComplementaryOrganisation)
        .join(ComplementaryContract, col(ComplementaryContract.beneficiary_id) == Beneficiary.id)
        .join(
            ComplementaryOrganisation,
            col(ComplementaryOrganisation.id) == ComplementaryContract.organisation_id,
        )
        .where(Beneficiary.insured_id == insured.id)
        .order_by(
            col(Beneficiary.is_insured).desc(), col(Beneficiary.birth_date), col(ComplementaryContract.id)
        )
    ).all()
    overlaps = find_overlaps(contract for _, contract, _ in rows)
    in_overlap: dict[int, set[int]] = {}
    for overlap in overlaps:
        in_overlap.setdefault(overlap.beneficiary_id, set()).update(overlap.contract_ids)
    people: dict[int, Beneficiary] = {}
    options: dict[int, list[ContractOption]] = {}
    for beneficiary, contract, organisation in rows:  # already in display order
        beneficiary_id = persisted_id(beneficiary)
        if contract.id in in_overlap.get(beneficiary_id, ()):
            people.setdefault(beneficiary_id, beneficiary)
            options.setdefault(beneficiary_id, []).append(
                ContractOption(
                    persisted_id(contract), organisation.name, contract.member_number, contract.start_date
                )
            )
    beneficiaries = tuple(
        BeneficiaryInOverlap(
            beneficiary_id,
            person.first_name,
            person.last_name,
            person.birth_date,
            tuple(options[beneficiary_id]),
        )
        for beneficiary_id, person in people.items()
    )
    pending = pending_request_for(session=session, account_id=account_id)
    eligibility = eligibility_for(
        regime=insured.regime,
        overlaps=overlaps,
        pending_request_at=pending.created_at if pending else None,
        now=now or utcnow(),
    )
    return OverlapSituation(
        account_id, tuple(beneficiaries), eligibility, pending, account.has_unresolved_overlap
    )


def _normalise_choices(choices: Mapping[int, int]) -> dict[int, int]:
    # Scripts and tests write the ids as the page shows them (decimal strings): int() takes both.
    # A cheap guard stays: this is where the request is written, whoever calls.
    try:
        return {int(key): int(value) for key, value in choices.items()}
    except (AttributeError, TypeError, ValueError):
        raise RequestRefused(NOT_YOUR_SITUATION) from None


def missing_choices(situation: OverlapSituation, choices: Mapping[int, int]) -> tuple[str, ...]:
    """Full names of the beneficiaries still without a choice."""
    return tuple(b.full_name for b in situation.beneficiaries if b.beneficiary_id not in choices)


def new_reference(now: datetime) -> str:
    """A public request reference such as `DEM-2026-7Q4K9M2X`."""
    return public_reference("DEM", now)


def submit_request(
    *, session: Session, account_id: int, choices: Mapping[int, int], now: datetime | None = None
) -> PendingRequest:
    """Record the insured's choice: one request, one line per beneficiary in overlap.

    Everything is checked again here: eligibility, one choice for each
    beneficiary in overlap and none for anyone else, each chosen contract one
    of that beneficiary's contracts in overlap. Submitting the same choice
    again returns the pending request (a double click, a replayed event or a
    second tab create one request). The caller commits.

    Raises:
        RequestRefused: nothing is written.
    """
    now = now or utcnow()
    wanted = _normalise_choices(choices)
    situation = overlap_situation(session=session, account_id=account_id, now=now)
    if situation.pending is not None:
        if situation.pending.choices == wanted:
            return situation.pending
        raise RequestRefused(situation.eligibility.message)
    if not situation.eligibility.eligible:
        raise RequestRefused(situation.eligibility.message)
    by_id = {b.beneficiary_id: b for b in situation.beneficiaries}
    foreign = set(wanted) - set(by_id)
    wrong = [
        bid
        for bid, cid in wanted.items()
        if bid in by_id and cid not in {o.contract_id for o in by_id[bid].options}
    ]
    if foreign or wrong:
        security_event(
            ACCESS_REFUSED,
            action="submit_request",
            account_id=account_id,
            foreign_beneficiaries=sorted(foreign),
            contracts_outside_overlap_for=sorted(wrong),
        )
        raise RequestRefused(NOT_YOUR_SITUATION)
    missing = missing_choices(situation, wanted)
    if missing:
        raise RequestRefused(
            " ".join(f"Sélectionnez un organisme pour {name}." for name in missing), missing=missing
        )
    request = OverlapRequest(account_id=account_id, created_at=now, reference=new_reference(now))
    try:
        with session.begin_nested():
            session.add(request)
            session.flush()
            for beneficiary in situation.beneficiaries:
                chosen = wanted[beneficiary.beneficiary_id]
                rejected = next(o.contract_id for o in beneficiary.options if o.contract_id != chosen)
                session.add(
                    OverlapRequestLine(
                        request_id=persisted_id(request),
                        beneficiary_id=beneficiary.beneficiary_id,
                        chosen_contract_id=chosen,
                        rejected_contract_id=rejected,
                    )
                )
            # The outbox row commits with the request: the affaire cannot be lost.
            session.add(AffaireOutbox(request_id=persisted_id(request), created_at=now, queued_at=now))
            session.add(
                Message(
                    account_id=account_id,
                    created_at=now,
                    subject=ACKNOWLEDGEMENT_SUBJECT,
                    body=acknowledgement_text(request.reference, now),
                )
            )
            session.flush()
    except IntegrityError:
        # Another tab recorded a request at the same moment: the partial unique
        # index allows one pending request per account.
        concurrent = pending_request_for(session=session, account_id=account_id)
        if concurrent is not None and concurrent.choices == wanted:
            return concurrent
        raise RequestRefused(situation.eligibility.message or NOT_YOUR_SITUATION) from None
    return PendingRequest(persisted_id(request), request.reference, request.created_at, wanted)


def acknowledgement_text(reference: str, now: datetime) -> str:
    """The acknowledgement message's body.

    `submit_request` deposits it with the request, in the same transaction:
    it is the only writer of this message.
    """
    return (
        f"Nous avons bien reçu le {format_day(now)} votre demande de choix de complémentaire santé "
        f"(référence {reference}). Elle sera traitée sous 7 jours. Vous serez informé(e) dans la "
        "rubrique Notifications de votre compte dès que la transmission automatique de vos "
        "remboursements à votre complémentaire sera activée."
    )


class Prompt:
    """What the insured can dismiss until their next login."""

    DIALOG = "dialog"
    BANNER = "banner"


def dismiss_prompt(*, session: Session, session_id: str, prompt: str) -> bool:
    """Remember, for this login only, that the dialog or the banner was dismissed.

    Returns False (and writes nothing) for an unknown prompt or a dead session.
    """
    if prompt not in {Prompt.DIALOG, Prompt.BANNER}:
        return False
    web_session = resolve_session(session=session, session_id=session_id, kind=SessionKind.INSURED)
    if web_session is None:
        return False
    return dismiss_prompt_of(session=session, web_session=web_session, prompt=prompt)


def dismiss_prompt_of(*, session: Session, web_session: WebSession, prompt: str) -> bool:
    """`dismiss_prompt` for a session already known to be live (the gate checked it)."""
    if prompt == Prompt.DIALOG:
        web_session.overlap_dialog_dismissed = True
    elif prompt == Prompt.BANNER:
        web_session.overlap_banner_closed = True
    else:
        return False
    session.add(web_session)
    return True


def dismiss_dialog(*, session: Session, web_session: WebSession) -> bool:
    """The dialog dismissed for this login (a gate's read: `@insured_handler(read=...)`)."""
    return dismiss_prompt_of(session=session, web_session=web_session, prompt=Prompt.DIALOG)


def dismiss_banner(*, session: Session, web_session: WebSession) -> bool:
    """The banner closed for this login (a gate's read)."""
    return dismiss_prompt_of(session=session, web_session=web_session, prompt=Prompt.BANNER)


def record_satisfaction(*, session: Session, account_id: int, reference: str, satisfied: bool) -> bool:
    """Record the answer to "Etes-vous satisfait de ce service ?", once per request.

    Returns False when the reference is not one of this account's requests.
    A second answer for the same request keeps the first one.
    """
    request = session.exec(
        select(OverlapRequest).where(
            OverlapRequest.reference == reference, OverlapRequest.account_id == account_id
        )
    ).first()
    if request is None:
        return False
    exists = session.exec(
        select(SatisfactionAnswer.id).where(SatisfactionAnswer.request_id == request.id)
    ).first()
    if exists is None:
        try:
            with session.begin_nested():
                session.add(
                    SatisfactionAnswer(
                        request_id=persisted_id(request), account_id=account_id, satisfied=satisfied
                    )
                )
        except IntegrityError:
            pass  # answered at the same instant from another tab: the first answer stands
    return True
