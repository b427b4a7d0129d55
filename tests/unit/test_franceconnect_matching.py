"""Matching FranceConnect's identité pivot to exactly one insured person (pure rules)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from rxapp.franceconnect_local import demo_identities
from rxapp.models import InsuredPerson
from rxapp.services.demo import PERSONAS
from rxapp.services.franceconnect import (
    IdentityRefused,
    PivotIdentity,
    identity_from_claims,
    matches,
    nir_agrees,
    normalized_name,
    the_one_match,
)
from rxapp.services.nir import parse_nir

RENALDO = PivotIdentity(
    given_name="Renaldo",
    family_name="ZOVI",
    birthdate=date(1974, 11, 22),
    gender="male",
    birthcountry="99100",
    birthplace="71270",
)


def person(nir: str = "1741171270102", first: str = "RENALDO", last: str = "ZOVI", born=date(1974, 11, 22)):
    return InsuredPerson(nir=nir, nir_key="00", first_name=first, last_name=last, birth_date=born, email="")


def test_names_compare_without_case_accents_or_hyphens() -> None:
    assert normalized_name("  Hélène-Marie  d'Écosse ") == "HELENE MARIE D ECOSSE"
    assert matches(replace(RENALDO, given_name="rénaldo", family_name="Zovi"), person())


def test_several_given_names_match_on_the_first_or_on_all() -> None:
    assert matches(replace(RENALDO, given_name="Renaldo Jean Pierre"), person())
    assert matches(replace(RENALDO, given_name="Jean-Pierre"), person(first="JEAN PIERRE"))
    assert not matches(replace(RENALDO, given_name="Jean Renaldo"), person())


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"gender": "female"}, "the NIR's first digit says male"),
        ({"birthdate": date(1974, 11, 23)}, "another birth date"),
        ({"birthplace": "69123"}, "born elsewhere in France (a homonym)"),
        ({"birthcountry": "99134", "birthplace": ""}, "born abroad, the NIR says France"),
        ({"family_name": "ZOVIE"}, "another family name"),
        ({"given_name": "Ronaldo"}, "another given name"),
    ],
)
def test_one_difference_is_enough_to_refuse(change: dict, why: str) -> None:
    assert not matches(replace(RENALDO, **change), person()), why


def test_the_nir_encodes_the_year_and_month_and_a_birth_abroad() -> None:
    abroad = replace(RENALDO, birthcountry="99134", birthplace="")
    assert nir_agrees(abroad, "1741199134102")
    assert not nir_agrees(abroad, "1741171270102")
    assert not nir_agrees(RENALDO, "1751171270102")  # year 75
    assert nir_agrees(replace(RENALDO, birthplace="2A004"), "174112A004102")  # Corsica


def test_exactly_one_match_or_a_refusal() -> None:
    renaldo = person()
    homonym = person(nir="1741169123555")
    assert the_one_match(RENALDO, [homonym, renaldo]) is renaldo
    with pytest.raises(IdentityRefused, match="no account"):
        the_one_match(RENALDO, [homonym])
    with pytest.raises(IdentityRefused, match="several accounts"):
        the_one_match(RENALDO, [renaldo, person()])


def test_claims_are_read_and_incomplete_ones_refused() -> None:
    claims = {
        "given_name": "Renaldo",
        "family_name": "ZOVI",
        "birthdate": "1974-11-22",
        "gender": "male",
        "birthplace": "71270",
        "birthcountry": "99100",
    }
    assert identity_from_claims(claims) == RENALDO
    for missing in ("given_name", "birthdate", "gender"):
        with pytest.raises(IdentityRefused):
            identity_from_claims({k: v for k, v in claims.items() if k != missing})
    with pytest.raises(IdentityRefused):
        identity_from_claims(claims | {"birthdate": "22/11/1974"})


def test_each_demo_persona_has_a_local_identity_agreeing_with_its_nir() -> None:
    identities = {identity.key: identity for identity in demo_identities()}
    for persona in PERSONAS:
        nir = parse_nir(persona.nir).body
        identity = identity_from_claims(identities[nir].claims)
        insured = persona.insured
        assert matches(identity, person(nir, insured.first_name, insured.last_name, insured.birth_date)), nir
    homonym = identity_from_claims(identities["homonyme-zovi"].claims)
    assert replace(homonym, birthplace="71270") == RENALDO  # they differ only by birthplace
    assert not matches(homonym, person())
