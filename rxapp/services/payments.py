"""The insured's payments (Frais de santé) and the PDF statement (relevé) of
those that never reached a complementary insurer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from rxapp.models import Account, Beneficiary, InsuredPerson, Payment
from rxapp.services.formatting import format_amount, format_day, format_person_name
from rxapp.services.pdf_document import captioned_lines, insured_document, printed_nir

STATEMENT_TITLE = "Relevé de paiement"
NOT_TRANSMITTED = "non transmis à votre organisme complémentaire"


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


def statement_pdf(*, session: Session, account_id: int, payment_id: int) -> tuple[str, bytes]:
    """The relevé of a payment that was not transmitted to a complementary insurer.

    The insured sends it to their complementary insurer themself to be
    reimbursed, since the NOEMIE transmission was blocked when it was paid.

    Args:
        session: the database session.
        account_id: the account asking for the statement.
        payment_id: the payment.

    Returns:
        The file name and the PDF bytes.

    Raises:
        LookupError: the payment does not exist, belongs to another account,
            or was transmitted (only non-transmitted payments have a statement).
    """
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

    pdf = insured_document(STATEMENT_TITLE, title_size=18)
    lines = (
        ("Assuré", format_person_name(insured.first_name, insured.last_name)),
        ("Numéro de sécurité sociale", printed_nir(insured)),
        ("Date du paiement", format_day(payment.paid_on)),
        ("Acte", payment.label),
        ("Bénéficiaire", format_person_name(beneficiary.first_name, beneficiary.last_name)),
        ("Montant remboursé", format_amount(payment.amount_cents)),
    )
    captioned_lines(pdf, lines, caption_width=70)
    pdf.ln(6)
    pdf.set_font("helvetica", "B", 11)
    pdf.cell(text=f"Paiement {NOT_TRANSMITTED}.", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 10)
    pdf.ln(2)
    pdf.multi_cell(
        w=0,
        h=5,
        text=(
            "Transmettez ce relevé à votre organisme complémentaire pour vous faire rembourser "
            "la part qui lui revient."
        ),
    )
    filename = f"releve-{payment.paid_on.isoformat()}-{payment.id}.pdf"
    return filename, bytes(pdf.output())
