"""Unit tests for `rxapp.services.nir`: parsing, validating and formatting a NIR."""

from __future__ import annotations

import itertools

import pytest
from stdnum.fr import nir as stdnum_nir

from rxapp.services.nir import Nir, NirError, format_nir, parse_nir

RENALDO_BODY = "1741171270102"
RENALDO_KEY = "58"


def _domain_key(body: str) -> str:
    """The key as DOMAIN.md defines it: 97 - (body mod 97), 2A as 19 and 2B as 18."""
    digits = body.replace("2A", "19").replace("2B", "18")
    return f"{97 - int(digits) % 97:02d}"


def _wrong_key(key: str) -> str:
    """A key in 01-97 that is surely not `key`."""
    return f"{int(key) % 97 + 1:02d}"


# --- accepted inputs ---------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "body", "key"),
    [
        # 13 digits, without key
        ("1741171270102", RENALDO_BODY, RENALDO_KEY),
        # 15 digits, with key
        ("174117127010258", RENALDO_BODY, RENALDO_KEY),
        # as printed on the carte Vitale
        ("1 74 11 71 270 102", RENALDO_BODY, RENALDO_KEY),
        ("1 74 11 71 270 102 58", RENALDO_BODY, RENALDO_KEY),
        # dots, dashes, tabs and surrounding blanks are ignored
        ("1.74.11.71.270.102.58", RENALDO_BODY, RENALDO_KEY),
        ("1-74-11-71-270-102", RENALDO_BODY, RENALDO_KEY),
        ("  1\t74 11 71 270 102  ", RENALDO_BODY, RENALDO_KEY),
        ("2 85 12 01 053 118 12", "2851201053118", "12"),
        # Corsica, upper and lower case, with or without key
        ("2 84 05 2A 321 025 52", "284052A321025", "52"),
        ("2 84 05 2a 321 025 52", "284052A321025", "52"),
        ("2 84 05 2a 321 025", "284052A321025", "52"),
        ("1 80 01 2B 050 001 73", "180012B050001", "73"),
        ("1 80 01 2b 050 001", "180012B050001", "73"),
    ],
)
def test_parse_nir_accepts_valid_input(raw: str, body: str, key: str) -> None:
    """Valid NIRs parse to their 13 characters (2A/2B kept, upper case) and key."""
    assert parse_nir(raw) == Nir(body=body, key=key)


def test_parse_nir_keeps_corsica_letters_in_the_body() -> None:
    parsed = parse_nir("2 84 05 2a 321 025 52")
    assert parsed.body[5:7] == "2A"
    assert len(parsed.body) == 13


def test_parsed_nir_body_formats_as_on_the_carte_vitale() -> None:
    assert format_nir(parse_nir("174117127010258").body) == "1 74 11 71 270 102"


# --- refused inputs: each with its own French message ------------------------


@pytest.mark.parametrize("raw", ["", "   ", " . - ", None])
def test_parse_nir_refuses_empty_input(raw: str | None) -> None:
    with pytest.raises(NirError) as excinfo:
        parse_nir(raw)  # type: ignore[arg-type]
    assert str(excinfo.value) == "Saisissez votre numéro de sécurité sociale."


@pytest.mark.parametrize(
    "raw",
    [
        "1 74 11 71 270 102 59",  # Renaldo with key 59 instead of 58
        "1 74 11 71 270 102 00",
        "2 84 05 2A 321 025 53",
        "2 84 05 2B 321 025 52",  # the key of 2A does not fit 2B
    ],
)
def test_parse_nir_refuses_wrong_key(raw: str) -> None:
    with pytest.raises(NirError) as excinfo:
        parse_nir(raw)
    message = str(excinfo.value)
    assert "La clé (2 derniers chiffres) ne correspond pas au numéro saisi" in message
    assert "vérifiez votre numéro de sécurité sociale" in message


@pytest.mark.parametrize("sex", ["0", "3", "4", "7", "8", "9"])
def test_parse_nir_refuses_sex_digit_other_than_1_or_2(sex: str) -> None:
    """stdnum does not check the sex digit: the service does."""
    body = sex + RENALDO_BODY[1:]
    for raw in (body, body + stdnum_nir.calc_check_digits(body)):
        with pytest.raises(NirError) as excinfo:
            parse_nir(raw)
        assert str(excinfo.value) == "Le numéro de sécurité sociale commence par 1 ou 2."


@pytest.mark.parametrize("month", ["00", "13", "20", "99"])
def test_parse_nir_refuses_month_outside_01_12(month: str) -> None:
    """stdnum does not check the month: the service does, even with a correct key."""
    body = RENALDO_BODY[:3] + month + RENALDO_BODY[5:]
    for raw in (body, body + stdnum_nir.calc_check_digits(body)):
        with pytest.raises(NirError) as excinfo:
            parse_nir(raw)
        message = str(excinfo.value)
        assert "entre 01 et 12" in message
        assert "4e et 5e chiffres" in message


@pytest.mark.parametrize(
    ("raw", "length"),
    [
        ("1", 1),
        ("174117127010", 12),
        ("17411712701025", 14),
        ("1741171270102581", 16),
        ("1 74 11 71 270 102 58 0", 16),
    ],
)
def test_parse_nir_refuses_wrong_length(raw: str, length: int) -> None:
    with pytest.raises(NirError) as excinfo:
        parse_nir(raw)
    message = str(excinfo.value)
    assert "13 caractères" in message
    assert "15 avec la clé" in message
    assert f"vous en avez saisi {length}" in message


@pytest.mark.parametrize(
    "raw",
    [
        "1 74 11 71 27C 102",  # a letter other than A or B
        "1 74 11 71 270 10X",
        "1 74 11 71 270 102 5Z",
        "1_74_11_71_270_102",  # underscores are not separators
        "1 74 11 71 270 102 58!",
    ],
)
def test_parse_nir_refuses_characters_other_than_digits(raw: str) -> None:
    with pytest.raises(NirError) as excinfo:
        parse_nir(raw)
    assert "ne contient que des chiffres" in str(excinfo.value)
    assert "2A ou 2B" in str(excinfo.value)


@pytest.mark.parametrize(
    "raw",
    [
        "A 74 11 71 270 102",  # letter in place of the sex digit
        "1 7A 11 71 270 102",  # in the year
        "1 74 1B 71 270 102",  # in the month
        "1 74 11 7A 270 102",  # department 7A is not Corsica
        "1 74 11 3B 270 102",
        "1 74 11 A2 270 102",  # letters reversed
        "1 74 11 71 2A0 102",  # in the commune
        "2 84 05 2A 321 025 5A",  # in the key
        "2 84 05 2A 32B 025",  # Corsica plus another letter
    ],
)
def test_parse_nir_refuses_letters_outside_corsica_department(raw: str) -> None:
    with pytest.raises(NirError) as excinfo:
        parse_nir(raw)
    message = str(excinfo.value)
    assert "Les lettres A et B ne sont admises qu'à la place du département" in message
    assert "Corse (2A ou 2B)" in message


def test_nir_error_is_a_value_error() -> None:
    assert issubclass(NirError, ValueError)


# --- many generated NIRs -------------------------------------------------------


def test_generated_nirs_accept_their_key_and_refuse_any_other() -> None:
    """For many valid bodies: body + stdnum key is accepted, body + another key refused."""
    checked = 0
    for sex, year, month, department, commune, order in itertools.product(
        "12",
        ("00", "74", "99"),
        [f"{m:02d}" for m in range(1, 13)],
        ("01", "19", "2A", "2B", "75", "97", "99"),
        ("001", "270"),
        ("001", "999"),
    ):
        body = f"{sex}{year}{month}{department}{commune}{order}"
        key = stdnum_nir.calc_check_digits(body)
        assert key == _domain_key(body), body

        parsed = parse_nir(body + key)
        assert parsed == Nir(body=body, key=key)
        assert parse_nir(body) == parsed
        assert parse_nir(f"{format_nir(body)} {key}".lower()) == parsed

        with pytest.raises(NirError, match="La clé"):
            parse_nir(body + _wrong_key(key))
        checked += 1
    assert checked == 2 * 3 * 12 * 7 * 2 * 2


# --- format_nir ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "formatted"),
    [
        ("1741171270102", "1 74 11 71 270 102"),
        ("2851201053118", "2 85 12 01 053 118"),
        ("284052A321025", "2 84 05 2A 321 025"),
    ],
)
def test_format_nir_groups_as_on_the_carte_vitale(body: str, formatted: str) -> None:
    assert format_nir(body) == formatted


def test_format_nir_round_trips_through_parse_nir() -> None:
    for raw in ("1 74 11 71 270 102 58", "2 84 05 2a 321 025 52", "2 85 12 01 053 118"):
        parsed = parse_nir(raw)
        assert parse_nir(format_nir(parsed.body)) == parsed


def test_format_nir_drops_missing_groups_of_a_short_body() -> None:
    """A partial body yields only the groups it has, never trailing blanks."""
    assert format_nir("17411") == "1 74 11"
    assert format_nir("1") == "1"
