"""The NIR (numéro de sécurité sociale): parsing, validation and display."""

from __future__ import annotations

import re
from dataclasses import dataclass

from stdnum.fr import nir as stdnum_nir

_ALLOWED = re.compile(r"[0-9AB]*")


class NirError(ValueError):
    """A malformed NIR; the message is French and says what is wrong."""


@dataclass(frozen=True)
class Nir:
    """A checked NIR: its 13 characters (Corsica kept as 2A/2B) and its key."""

    body: str
    key: str


def format_nir(body: str) -> str:
    """Group 13 NIR characters as printed on the carte Vitale."""
    parts = (body[0], body[1:3], body[3:5], body[5:7], body[7:10], body[10:13])
    return " ".join(part for part in parts if part)


def parse_nir(raw: str) -> Nir:
    """Parse what a person typed as their NIR.

    Accepts 13 characters, or 15 with the key; spaces, dots and dashes are
    ignored; Corsica is written 2A or 2B (lower case accepted).

    Raises:
        NirError: with a French message naming the problem.
    """
    compact = re.sub(r"[\s.\-]", "", raw or "").upper()
    if not compact:
        raise NirError("Saisissez votre numéro de sécurité sociale.")
    if not _ALLOWED.fullmatch(compact):
        raise NirError(
            "Le numéro de sécurité sociale ne contient que des chiffres (et 2A ou 2B pour la Corse)."
        )
    if len(compact) not in (13, 15):
        raise NirError(
            "Le numéro de sécurité sociale comporte 13 caractères "
            f"(ou 15 avec la clé) ; vous en avez saisi {len(compact)}."
        )
    body, key = compact[:13], compact[13:]
    letters = [i for i, char in enumerate(compact) if char in "AB"]
    if letters and not (letters == [6] and body[5] == "2"):
        raise NirError(
            "Les lettres A et B ne sont admises qu'à la place du département pour la Corse (2A ou 2B)."
        )
    if body[0] not in "12":
        raise NirError("Le numéro de sécurité sociale commence par 1 ou 2.")
    if not 1 <= int(body[3:5]) <= 12:
        raise NirError("Le mois de naissance (4e et 5e chiffres) doit être compris entre 01 et 12.")
    expected = stdnum_nir.calc_check_digits(body)
    if key and key != expected:
        raise NirError(
            "La clé (2 derniers chiffres) ne correspond pas au numéro saisi : "
            "vérifiez votre numéro de sécurité sociale."
        )
    return Nir(body=body, key=expected)
