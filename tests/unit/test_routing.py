"""Unit tests for `rxapp.services.routing`: which CPAM handles an affaire."""

from __future__ import annotations

import pytest

from rxapp.services.routing import (
    ComplexReason,
    Routing,
    route_affaire,
)

INSURED_CPAM = 10
DIGNE_CPAM = 4
OTHER_CPAM = 20


def _route(
    member_numbers: list[str | None], beneficiary_cpams: list[int | None], insured_cpam: int = INSURED_CPAM
) -> Routing:
    return route_affaire(
        insured_cpam_id=insured_cpam,
        digne_cpam_id=DIGNE_CPAM,
        chosen_member_numbers=member_numbers,
        beneficiary_cpam_ids=beneficiary_cpams,
    )


def test_simple_case_goes_to_the_insured_cpam() -> None:
    routing = _route(["4789563P", "4789563P"], [INSURED_CPAM, INSURED_CPAM])
    assert routing == Routing(INSURED_CPAM, False, ())


def test_beneficiary_without_cpam_belongs_to_the_insured_one() -> None:
    routing = _route(["4789563P", "1458566E"], [None, INSURED_CPAM, None])
    assert routing == Routing(INSURED_CPAM, False, ())


@pytest.mark.parametrize("missing", ["", "   ", "\t", None])
def test_missing_member_number_goes_to_digne(missing: str | None) -> None:
    routing = _route(["4789563P", missing], [INSURED_CPAM])
    assert routing.cpam_id == DIGNE_CPAM
    assert routing.is_complex is True
    assert routing.reasons == (ComplexReason.MISSING_MEMBER_NUMBER,)


def test_beneficiaries_in_different_cpams_go_to_digne() -> None:
    routing = _route(["4789563P", "1458566E"], [INSURED_CPAM, OTHER_CPAM])
    assert routing == Routing(DIGNE_CPAM, True, (ComplexReason.SEVERAL_CPAMS,))


def test_both_reasons_are_listed() -> None:
    routing = _route(["", "4338849"], [INSURED_CPAM, None, OTHER_CPAM])
    assert routing.cpam_id == DIGNE_CPAM
    assert routing.is_complex is True
    assert routing.reasons == (ComplexReason.MISSING_MEMBER_NUMBER, ComplexReason.SEVERAL_CPAMS)


def test_insured_of_digne_with_a_simple_case_stays_simple() -> None:
    routing = _route(["AP3310458"], [DIGNE_CPAM, None], insured_cpam=DIGNE_CPAM)
    assert routing == Routing(DIGNE_CPAM, False, ())


def test_complex_reasons_are_french_sentences() -> None:
    assert "numéro d'adhérent" in ComplexReason.MISSING_MEMBER_NUMBER
    assert "plusieurs CPAM" in ComplexReason.SEVERAL_CPAMS
