"""The attestation de droits: a PDF, made on demand, that the insured's rights are open.

Nothing is stored: the verification reference is a keyed hash of the NIR and
the date of issue, so the CPAM can recompute it to check a printed attestation.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date

from sqlmodel import Session, col, select

from rxapp.models import Account, Beneficiary, Cpam, InsuredPerson
from rxapp.services.formatting import format_day, format_partner_regime, format_person_name
from rxapp.services.pdf_document import captioned_lines, insured_document, pdf_text, printed_nir
from rxapp.services.references import REFERENCE_ALPHABET

ATTESTATION_TITLE = "Attestation de droits à l'assurance maladie"
RIGHTS_OPEN = "Vos droits à l'Assurance Maladie sont ouverts."
RIGHTS_CLOSED = "Vos droits à l'Assurance Maladie sont fermés : contactez votre caisse."


def verification_reference(*, nir: str, issued_on: date, secret: str) -> str:
    """`ATT-2026-XXXXXXXX`: the same NIR, day and secret always give the same reference.

    Args:
        nir: the insured's 13-character NIR.
        issued_on: the attestation's date.
        secret: the application's secret key (the reference cannot be forged without it).
    """
    digest = hmac.new(secret.encode(), f"{nir}|{issued_on.isoformat()}".encode(), hashlib.sha256).digest()
    characters = "".join(REFERENCE_ALPHABET[byte % len(REFERENCE_ALPHABET)] for byte in digest[:8])
    return f"ATT-{issued_on:%Y}-{characters}"


def rights_attestation_pdf(
    *, session: Session, account_id: int, issued_on: date, secret: str
) -> tuple[str, bytes]:
    """The account's attestation de droits.

    Args:
        session: the database session.
        account_id: the insured's account.
        issued_on: the date printed on the attestation.
        secret: the key of the verification reference.

    Returns:
        The file name and the PDF bytes.

    Raises:
        LookupError: no such account.
    """
    row = session.exec(
        select(InsuredPerson, Cpam)
        .join(Account, col(Account.insured_id) == col(InsuredPerson.id))
        .outerjoin(Cpam, col(Cpam.id) == col(InsuredPerson.cpam_id))
        .where(Account.id == account_id)
    ).first()
    if row is None:
        raise LookupError(account_id)
    insured, cpam = row
    beneficiaries = session.exec(
        select(Beneficiary)
        .where(Beneficiary.insured_id == insured.id)
        .order_by(col(Beneficiary.is_insured).desc(), col(Beneficiary.birth_date), col(Beneficiary.id))
    ).all()
    organisation = (
        f"{cpam.name} (code organisme {cpam.code_organisme})"
        if cpam
        else format_partner_regime(insured.regime.value)
    )
    reference = verification_reference(nir=insured.nir, issued_on=issued_on, secret=secret)

    pdf = insured_document(ATTESTATION_TITLE, title_size=16)
    lines = (
        ("Assuré", format_person_name(insured.first_name, insured.last_name)),
        ("Numéro de sécurité sociale", printed_nir(insured)),
        ("Droits", RIGHTS_OPEN if insured.rights_open else RIGHTS_CLOSED),
        ("Caisse d'assurance maladie", organisation),
        ("Date de l'attestation", format_day(issued_on)),
        ("Référence de vérification", reference),
    )
    captioned_lines(pdf, lines, caption_width=62)
    pdf.ln(6)
    pdf.set_font("helvetica", "B", 12)
    pdf.cell(text="Bénéficiaires", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    for beneficiary in beneficiaries:
        pdf.set_font("helvetica", "", 11)
        role = "assuré" if beneficiary.is_insured else "ayant droit"
        pdf.cell(
            h=7,
            text=pdf_text(
                f"{format_person_name(beneficiary.first_name, beneficiary.last_name)}, né(e) le "
                f"{format_day(beneficiary.birth_date)} ({role})"
            ),
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.ln(6)
    pdf.set_font("helvetica", "", 9)
    pdf.multi_cell(
        w=0,
        h=5,
        text=(
            "Cette attestation est valable à la date indiquée. Un organisme peut la faire vérifier "
            "auprès de votre caisse d'assurance maladie grâce à sa référence de vérification."
        ),
    )
    return f"attestation-de-droits-{issued_on.isoformat()}.pdf", bytes(pdf.output())
