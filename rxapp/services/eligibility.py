"""Who may use the teleservice, and why not."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from rxapp.models import PrecarityKind, Regime
from rxapp.services.overlap import Overlap

MAX_BENEFICIARIES = 4
REQUEST_LOCK = timedelta(days=7)


class Refusal(StrEnum):
    NO_OVERLAP = "no_overlap"
    PRECARITY = "precarity"
    TOO_MANY_BENEFICIARIES = "too_many_beneficiaries"
    PARTNER_REGIME = "partner_regime"
    PENDING_REQUEST = "pending_request"


class EligibilityStatus(StrEnum):
    """What the teleservice pages show of the insured's situation.

    `Eligibility.status` decides the middle four; LOADING and UNAVAILABLE are the
    page's own (not read yet, database down).
    """

    LOADING = "loading"
    ELIGIBLE = "eligible"
    PENDING = "pending"
    NO_OVERLAP = "no_overlap"
    EXCLUDED = "excluded"
    UNAVAILABLE = "unavailable"


REFUSAL_MESSAGES: dict[Refusal, str] = {
    Refusal.NO_OVERLAP: "Aucun chevauchement de complémentaires n'est enregistré pour vous.",
    Refusal.PRECARITY: (
        "Une Complémentaire santé solidaire (ou une CMU-C, une ACS) est concernée : "
        "ce choix ne peut pas être fait en ligne."
    ),
    Refusal.TOO_MANY_BENEFICIARIES: (
        "Plus de 4 bénéficiaires sont concernés : ce choix ne peut pas être fait en ligne."
    ),
    Refusal.PARTNER_REGIME: (
        "Vous dépendez d'un régime partenaire : ce choix ne peut pas être fait en ligne "
        "auprès de l'Assurance Maladie."
    ),
    Refusal.PENDING_REQUEST: (
        "Votre demande est en cours de traitement. "
        "Vous ne pourrez pas réitérer la démarche avant un délai de 7 jours."
    ),
}


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    refusal: Refusal | None = None

    @property
    def message(self) -> str:
        return REFUSAL_MESSAGES[self.refusal] if self.refusal else ""

    @property
    def status(self) -> EligibilityStatus:
        """Eligible, pending, no overlap, or excluded (an overlap to resolve with the CPAM)."""
        if self.refusal is None:
            return EligibilityStatus.ELIGIBLE
        if self.refusal is Refusal.PENDING_REQUEST:
            return EligibilityStatus.PENDING
        if self.refusal is Refusal.NO_OVERLAP:
            return EligibilityStatus.NO_OVERLAP
        return EligibilityStatus.EXCLUDED


def eligibility_for(
    *,
    regime: Regime,
    overlaps: Sequence[Overlap],
    pending_request_at: datetime | None,
    now: datetime,
) -> Eligibility:
    """Decide whether the insured may choose their OC online.

    Args:
        regime: the insured's basic regime.
        overlaps: the current overlaps of the insured's beneficiaries.
        pending_request_at: creation time of their latest unprocessed request.
        now: the current time (aware, UTC).

    Returns:
        Eligible, or the first refusal in this order: no overlap, pending
        request (under 7 days), partner regime, precarity contract, 5+
        beneficiaries.
    """
    if not overlaps:
        return Eligibility(False, Refusal.NO_OVERLAP)
    if pending_request_at is not None and now - pending_request_at < REQUEST_LOCK:
        return Eligibility(False, Refusal.PENDING_REQUEST)
    if regime is not Regime.CPAM:
        return Eligibility(False, Refusal.PARTNER_REGIME)
    if any(
        contract.precarity is not PrecarityKind.NONE
        for overlap in overlaps
        for contract in (overlap.first, overlap.second)
    ):
        return Eligibility(False, Refusal.PRECARITY)
    if len({overlap.beneficiary_id for overlap in overlaps}) > MAX_BENEFICIARIES:
        return Eligibility(False, Refusal.TOO_MANY_BENEFICIARIES)
    return Eligibility(True)
