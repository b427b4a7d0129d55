"""The insured's payments (Frais de santé) and the PDF statement (relevé) of
those that never reached a complementary insurer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from rxapp.models import Account, Beneficiary, InsuredPerson, Payment
from rxapp.services.formatting import format_amount, format_day, format_person_name
from rxapp.services.pdf_document import InsuredDocument, document_pdf, printed_nir

STATEMENT_TITLE = "Relevé de paiement"
STATEMENT_NOT_FOUND = "Ce relevé n'existe pas ou n'est pas disponible."
NOT_TRANSMITTED = "non transmis à votre organisme complémentaire"
# Ids are 32-bit integers in the database; a larger number names no payment.
MAX_PAYMENT_ID = 2**31 - 1
STATEMENT_NOTE = (
    "Transmettez ce relevé à votre organisme complémentaire pour vous faire rembourser "
    "la part qui lui revient."
)


@dataclass(frozen=True)
class PaymentLine:
    """One payment of the account (the pages format its date, beneficiary's name and amount)."""

    payment_id: int
    paid_on: date
    label: str
    beneficiary_first_name: str
    beneficiary_last_name: str
    amount_cents: int
    transmitted_to_oc: bool


def payments_for(*, session: Session, account_id: int, limit: int | None = None) -> list[PaymentLine]:
    """The account's payments, newest first, with the beneficiary's name.

    One query whatever the number of payments: the beneficiary is joined, not
    loaded row by row.

    Args:
        session: the database session.
        account_id: the ameli account whose payments are listed.
        limit: at most this many payments (all of them when None).

    Returns:
        The payments, most recent payment date first (then most recent row).
    """
    statement = (
        select(Payment, Beneficiary.first_name, Beneficiary.last_name)
        .join(Beneficiary, col(Beneficiary.id) == col(Payment.beneficiary_id))
        .where(Payment.account_id == account_id)
        .order_by(col(Payment.paid_on).desc(), col(Payment.id).desc())
    )
    if limit is not None:
        statement = statement.limit(max(limit, 0))
    return [
        PaymentLine(
            payment_id=int(payment.id or 0),
            paid_on=payment.paid_on,
            label=payment.label,
            beneficiary_first_name=first_name,
            beneficiary_last_name=last_name,
            amount_cents=payment.amount_cents,
            transmitted_to_oc=payment.transmitted_to_oc,
        )
        for payment, first_name, last_name in session.exec(statement).all()
    ]


def payment_statement(*, session: Session, account_id: int, payment_id: int) -> InsuredDocument:
    """What the relevé of a payment that was not transmitted to a complementary insurer states.

    The insured sends it to their complementary insurer themself to be
    reimbursed, since the NOEMIE transmission was blocked when it was paid.
    Its PDF (`statement_pdf`) and its accessible version (the page
    /frais-de-sante/releve) are both made from it.

    Args:
        session: the database session.
        account_id: the account asking for the statement.
        payment_id: the payment.

    Raises:
        LookupError: the payment does not exist, belongs to another account,
            or was transmitted (only non-transmitted payments have a statement).
    """
    if not 0 < payment_id <= MAX_PAYMENT_ID:
        raise LookupError(payment_id)
    row = session.exec(
        select(Payment, Beneficiary, InsuredPerson)
        .join(Beneficiary, col(Beneficiary.id) == col(Payment.beneficiary_id))
        .join(Account, col(Account.id) == col(Payment.account_id))
        .join(InsuredPerson, col(InsuredPerson.id) == col(Account.insured_id))
        .where(
            Payment.id == payment_id,
            Payment.account_id == account_id,
            col(Payment.transmitted_to_oc).is_(False),
        )
    ).first()
    if row is None:
        raise LookupError(payment_id)
    payment, beneficiary, insured = row
    return InsuredDocument(
        title=STATEMENT_TITLE,
        filename=f"releve-{payment.paid_on.isoformat()}-{payment.id}.pdf",
        lines=(
            ("Assuré", format_person_name(insured.first_name, insured.last_name)),
            ("Numéro de sécurité sociale", printed_nir(insured)),
            ("Date du paiement", format_day(payment.paid_on)),
            ("Acte", payment.label),
            ("Bénéficiaire", format_person_name(beneficiary.first_name, beneficiary.last_name)),
            ("Montant remboursé", format_amount(payment.amount_cents)),
        ),
        emphasis=f"Paiement {NOT_TRANSMITTED}.",
        note=STATEMENT_NOTE,
    )


def statement_pdf(*, session: Session, account_id: int, payment_id: int) -> tuple[str, bytes]:
    """The relevé of a payment that was not transmitted to a complementary insurer, as a PDF.

    Args:
        session: the database session.
        account_id: the account asking for the statement.
        payment_id: the payment.

    Returns:
        The file name and the PDF bytes.

    Raises:
        LookupError: as `payment_statement`.
    """
    statement = payment_statement(session=session, account_id=account_id, payment_id=payment_id)
    return statement.filename, document_pdf(statement, title_size=18, caption_width=70)
