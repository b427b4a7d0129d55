"""Unit tests for `rxapp.services.eligibility`: who may use the teleservice."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from rxapp.models import ComplementaryContract, PrecarityKind, Regime
from rxapp.services.eligibility import (
    MAX_BENEFICIARIES,
    REFUSAL_MESSAGES,
    Eligibility,
    Refusal,
    eligibility_for,
)
from rxapp.services.overlap import Overlap, find_overlaps

NOW = datetime(2026, 1, 7, 10, 0, tzinfo=UTC)


def _overlap(
    beneficiary_id: int,
    first_precarity: PrecarityKind = PrecarityKind.NONE,
    second_precarity: PrecarityKind = PrecarityKind.NONE,
) -> Overlap:
    """One overlap between two open contracts of a beneficiary."""
    first = ComplementaryContract(
        id=beneficiary_id * 10 + 1,
        beneficiary_id=beneficiary_id,
        organisation_id=1,
        start_date=date(2018, 7, 1),
        precarity=first_precarity,
    )
    second = ComplementaryContract(
        id=beneficiary_id * 10 + 2,
        beneficiary_id=beneficiary_id,
        organisation_id=2,
        start_date=date(2020, 1, 1),
        precarity=second_precarity,
    )
    return Overlap(beneficiary_id, first, second)


def _overlaps(beneficiaries: int) -> list[Overlap]:
    return [_overlap(beneficiary_id) for beneficiary_id in range(1, beneficiaries + 1)]


def _check(
    overlaps: list[Overlap],
    *,
    regime: Regime = Regime.CPAM,
    pending_request_at: datetime | None = None,
) -> Eligibility:
    return eligibility_for(regime=regime, overlaps=overlaps, pending_request_at=pending_request_at, now=NOW)


def _assert_refused(result: Eligibility, refusal: Refusal) -> None:
    assert result.eligible is False
    assert result.refusal is refusal
    assert result.message == REFUSAL_MESSAGES[refusal]
    assert result.message.strip()


def test_simple_overlap_is_eligible() -> None:
    result = _check(_overlaps(1))
    assert result == Eligibility(True)
    assert result.refusal is None
    assert result.message == ""


def test_no_overlap_is_refused() -> None:
    _assert_refused(_check([]), Refusal.NO_OVERLAP)


def test_no_overlap_comes_before_every_other_refusal() -> None:
    result = _check([], regime=Regime.MGEN, pending_request_at=NOW - timedelta(hours=1))
    _assert_refused(result, Refusal.NO_OVERLAP)


@pytest.mark.parametrize(
    "age",
    [timedelta(0), timedelta(minutes=1), timedelta(days=3), timedelta(days=7) - timedelta(seconds=1)],
)
def test_pending_request_under_seven_days_is_refused(age: timedelta) -> None:
    _assert_refused(_check(_overlaps(1), pending_request_at=NOW - age), Refusal.PENDING_REQUEST)


@pytest.mark.parametrize("age", [timedelta(days=7), timedelta(days=7, seconds=1), timedelta(days=30)])
def test_pending_request_of_seven_days_or_more_is_allowed(age: timedelta) -> None:
    assert _check(_overlaps(1), pending_request_at=NOW - age).eligible is True


def test_pending_request_comes_before_partner_regime() -> None:
    result = _check(_overlaps(1), regime=Regime.MGEN, pending_request_at=NOW - timedelta(days=1))
    _assert_refused(result, Refusal.PENDING_REQUEST)


@pytest.mark.parametrize("regime", [Regime.MGEN, Regime.MGP, Regime.MNH, Regime.CAMIEG])
def test_partner_regime_is_refused(regime: Regime) -> None:
    _assert_refused(_check(_overlaps(1), regime=regime), Refusal.PARTNER_REGIME)


@pytest.mark.parametrize("kind", [PrecarityKind.CSS, PrecarityKind.CMU_C, PrecarityKind.ACS])
def test_precarity_contract_is_refused_on_either_side(kind: PrecarityKind) -> None:
    _assert_refused(_check([_overlap(1, first_precarity=kind)]), Refusal.PRECARITY)
    _assert_refused(_check([_overlap(1, second_precarity=kind)]), Refusal.PRECARITY)


def test_precarity_of_any_beneficiary_is_refused() -> None:
    overlaps = [*_overlaps(2), _overlap(3, second_precarity=PrecarityKind.CSS)]
    _assert_refused(_check(overlaps), Refusal.PRECARITY)


def test_partner_regime_comes_before_precarity() -> None:
    result = _check([_overlap(1, first_precarity=PrecarityKind.CSS)], regime=Regime.MNH)
    _assert_refused(result, Refusal.PARTNER_REGIME)


def test_precarity_comes_before_too_many_beneficiaries() -> None:
    overlaps = [*_overlaps(4), _overlap(5, first_precarity=PrecarityKind.ACS)]
    _assert_refused(_check(overlaps), Refusal.PRECARITY)


def test_exactly_four_beneficiaries_are_allowed() -> None:
    assert MAX_BENEFICIARIES == 4
    assert _check(_overlaps(4)).eligible is True


def test_five_beneficiaries_are_refused() -> None:
    _assert_refused(_check(_overlaps(5)), Refusal.TOO_MANY_BENEFICIARIES)


def test_beneficiaries_are_counted_not_overlaps() -> None:
    """Four people with three contracts each (three overlaps each) remain four."""
    contracts = [
        ComplementaryContract(
            id=beneficiary_id * 10 + index,
            beneficiary_id=beneficiary_id,
            organisation_id=index,
            start_date=date(2018 + index, 1, 1),
        )
        for beneficiary_id in range(1, 5)
        for index in range(3)
    ]
    overlaps = find_overlaps(contracts)
    assert len(overlaps) == 12
    assert _check(overlaps).eligible is True


def test_every_refusal_has_a_french_message() -> None:
    assert set(REFUSAL_MESSAGES) == set(Refusal)
    for refusal, message in REFUSAL_MESSAGES.items():
        assert message.strip(), refusal
        assert Eligibility(False, refusal).message == message


@pytest.mark.parametrize(
    ("refusal", "fragment"),
    [
        (Refusal.NO_OVERLAP, "Aucun chevauchement"),
        (Refusal.PRECARITY, "Complémentaire santé solidaire"),
        (Refusal.TOO_MANY_BENEFICIARIES, "Plus de 4 bénéficiaires"),
        (Refusal.PARTNER_REGIME, "régime partenaire"),
        (Refusal.PENDING_REQUEST, "7 jours"),
    ],
)
def test_refusal_messages_say_why(refusal: Refusal, fragment: str) -> None:
    assert fragment in REFUSAL_MESSAGES[refusal]
