"""The side effects of a closed affaire, done once by the worker: notification, processed request, avis de dépôt."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from rxapp.models import (
    Account,
    Affaire,
    AffaireStatus,
    Beneficiary,
    ComplementaryContract,
    InsuredPerson,
    Notification,
    OverlapRequest,
    RequestStatus,
    utcnow,
)
from rxapp.models._types import persisted_id
from rxapp.services.medialog.access import record_event
from rxapp.services.overlap import find_overlaps

CLOSURE_TITLE = "Ma complémentaire santé"
CLOSURE_BODY = (
    "Nous avons bien enregistré votre organisme complémentaire. "
    "La transmission automatique des paiements à votre complémentaire est activée."
)


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
    record_event(session, affaire, None, "NOTIFICATION", now)
    return True


def closure_account(*, session: Session, affaire_id: int) -> int | None:
    """The account an affaire's closure notifies (read from the session's identity map after `apply_closure`)."""
    affaire = session.get(Affaire, affaire_id)
    request = session.get(OverlapRequest, affaire.request_id) if affaire else None
    return request.account_id if request else None


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
    """Record that the avis de dépôt was sent (once; a second call changes nothing)."""
    affaire = session.get(Affaire, affaire_id)
    if affaire is not None and affaire.avis_sent_at is None:
        now = now or utcnow()
        affaire.avis_sent_at = now
        session.add(affaire)
        record_event(session, affaire, None, "AVIS_DE_DEPOT", now)
