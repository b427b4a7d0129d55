"""Which CPAM handles an affaire: the insured's own, or Digne for complex cases."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

DIGNE_CODE_ORGANISME = "04 011 1411"


class ComplexReason:
    MISSING_MEMBER_NUMBER = "Un contrat choisi n'a pas de numéro d'adhérent."
    SEVERAL_CPAMS = "Les bénéficiaires relèvent de plusieurs CPAM."


@dataclass(frozen=True)
class Routing:
    cpam_id: int
    is_complex: bool
    reasons: tuple[str, ...] = ()


def route_affaire(
    *,
    insured_cpam_id: int,
    digne_cpam_id: int,
    chosen_member_numbers: Sequence[str | None],
    beneficiary_cpam_ids: Sequence[int | None],
) -> Routing:
    """Route an affaire.

    A case is complex, and goes to the CPAM of Digne, when a chosen contract
    has no member number or when the request's beneficiaries belong to
    different CPAMs (a beneficiary without a CPAM of their own belongs to the
    insured's).
    """
    reasons: list[str] = []
    if any(not (number or "").strip() for number in chosen_member_numbers):
        reasons.append(ComplexReason.MISSING_MEMBER_NUMBER)
    cpams = {cpam_id or insured_cpam_id for cpam_id in beneficiary_cpam_ids} | {insured_cpam_id}
    if len(cpams) > 1:
        reasons.append(ComplexReason.SEVERAL_CPAMS)
    if reasons:
        return Routing(digne_cpam_id, True, tuple(reasons))
    return Routing(insured_cpam_id, False)
