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
from rxapp.services.pdf_document import InsuredDocument, document_pdf, printed_nir
from rxapp.services.references import REFERENCE_ALPHABET

ATTESTATION_TITLE = "Attestation de droits à l'assurance maladie"
RIGHTS_OPEN = "Vos droits à l'Assurance Maladie sont ouverts."
RIGHTS_CLOSED = "Vos droits à l'Assurance Maladie sont fermés : contactez votre caisse."
BENEFICIARIES = "Bénéficiaires"
ATTESTATION_NOT_FOUND = "Votre attestation de droits n'est pas disponible."
ATTESTATION_NOTE = (
    "Cette attestation est valable à la date indiquée. Un organisme peut la faire vérifier "
    "auprès de votre caisse d'assurance maladie grâce à sa référence de vérification."
)


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


def rights_attestation(*, session: Session, account_id: int, issued_on: date, secret: str) -> InsuredDocument:
    """What the account's attestation de droits states.

    Its PDF (`rights_attestation_pdf`) and its accessible version (the page
    /demarches/attestation-de-droits/version-accessible) are both made from it.

    Args:
        session: the database session.
        account_id: the insured's account.
        issued_on: the date the attestation states.
        secret: the key of the verification reference.

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
    return InsuredDocument(
        title=ATTESTATION_TITLE,
        filename=f"attestation-de-droits-{issued_on.isoformat()}.pdf",
        lines=(
            ("Assuré", format_person_name(insured.first_name, insured.last_name)),
            ("Numéro de sécurité sociale", printed_nir(insured)),
            ("Droits", RIGHTS_OPEN if insured.rights_open else RIGHTS_CLOSED),
            ("Caisse d'assurance maladie", organisation),
            ("Date de l'attestation", format_day(issued_on)),
            (
                "Référence de vérification",
                verification_reference(nir=insured.nir, issued_on=issued_on, secret=secret),
            ),
        ),
        list_title=BENEFICIARIES,
        list_items=tuple(
            f"{format_person_name(beneficiary.first_name, beneficiary.last_name)}, né(e) le "
            f"{format_day(beneficiary.birth_date)} ({'assuré' if beneficiary.is_insured else 'ayant droit'})"
            for beneficiary in beneficiaries
        ),
        note=ATTESTATION_NOTE,
    )


def rights_attestation_pdf(
    *, session: Session, account_id: int, issued_on: date, secret: str
) -> tuple[str, bytes]:
    """The account's attestation de droits, as a PDF.

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
    attestation = rights_attestation(
        session=session, account_id=account_id, issued_on=issued_on, secret=secret
    )
    return attestation.filename, document_pdf(attestation, title_size=16, caption_width=62)
