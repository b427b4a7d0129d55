"""FranceConnect: the identité pivot it returns, matched to exactly one insured person.

The NIR itself encodes part of the identité pivot (sex, year and month of birth,
department and commune of birth), so the match needs no other registry: names
compared without case or accents, the birth date, `gender` against the NIR's first
digit and, for a birth in France (`birthcountry` 99100), `birthplace` against the
NIR's department + commune digits.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from sqlmodel import Session, select

from rxapp.models import Account, InsuredPerson
from rxapp.services import auth

FRANCE = "99100"
SCOPES = ("openid", "given_name", "family_name", "birthdate", "gender", "birthplace", "birthcountry")
ACR = "eidas1"

# The French messages of the refusals, by reason (the reason goes to the security log).
REFUSALS: Final = {
    "access_denied": "Vous avez annulé la connexion avec FranceConnect.",
    "state": "La connexion avec FranceConnect a expiré ou a déjà été utilisée. Recommencez.",
    "token": "La connexion avec FranceConnect n'a pas pu être vérifiée. Recommencez.",
    "identity": (
        "Aucun compte ameli ne correspond à l'identité transmise par FranceConnect. "
        "Connectez-vous avec votre numéro de sécurité sociale et votre code."
    ),
    "locked": "Trop de tentatives infructueuses : la connexion à ce compte est momentanément bloquée.",
    "logout_state": (
        "Vous êtes déconnecté du compte ameli, mais la déconnexion de FranceConnect n'a pas pu être vérifiée."
    ),
    "unavailable": (
        "FranceConnect est momentanément indisponible. "
        "Connectez-vous avec votre numéro de sécurité sociale et votre code."
    ),
}


class IdentityRefused(Exception):
    """The identité pivot is incomplete, or names no insured person, or several."""


@dataclass(frozen=True)
class PivotIdentity:
    """The identité pivot as FranceConnect returns it (userinfo claims)."""

    given_name: str
    family_name: str
    birthdate: date
    gender: str
    birthcountry: str
    birthplace: str = ""


def identity_from_claims(claims: Mapping[str, object]) -> PivotIdentity:
    """Read the identité pivot out of verified userinfo claims.

    Raises:
        IdentityRefused: a claim is missing or malformed.
    """
    try:
        values = {name: claims[name] for name in ("given_name", "family_name", "birthdate", "gender")}
        if not all(isinstance(value, str) and value for value in values.values()):
            raise IdentityRefused("incomplete identity")
        birthcountry = str(claims.get("birthcountry") or "")
        return PivotIdentity(
            given_name=str(values["given_name"]),
            family_name=str(values["family_name"]),
            birthdate=date.fromisoformat(str(values["birthdate"])),
            gender=str(values["gender"]),
            birthcountry=birthcountry,
            birthplace=str(claims.get("birthplace") or ""),
        )
    except (KeyError, ValueError) as error:
        raise IdentityRefused("incomplete identity") from error


def normalized_name(name: str) -> str:
    """Upper case, no accents, hyphens and apostrophes as spaces, single spaces."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.sub(r"[-'’]", " ", plain).upper().split())


def _given_names_agree(identity: PivotIdentity, first_name: str) -> bool:
    """FranceConnect's given_name may hold several names: the first one, or all, must agree."""
    given = normalized_name(identity.given_name)
    first = normalized_name(first_name)
    return bool(first) and (first == given or first == given.split(" ")[0])


def nir_agrees(identity: PivotIdentity, nir: str) -> bool:
    """Whether what the NIR encodes agrees with the identité pivot.

    Args:
        identity: the identity FranceConnect returned.
        nir: the 13 characters of the NIR (Corsica as 2A/2B).
    """
    sex = {"male": "1", "female": "2"}.get(identity.gender)
    if sex is None or nir[0] != sex:
        return False
    if nir[1:5] != identity.birthdate.strftime("%y%m"):
        return False
    if identity.birthcountry == FRANCE:
        return nir[5:10] == identity.birthplace.upper()
    return nir[5:7] == "99" and nir[7:10] == identity.birthcountry[-3:]


def matches(identity: PivotIdentity, person: InsuredPerson) -> bool:
    """Whether this insured person is the one FranceConnect identified."""
    return (
        person.birth_date == identity.birthdate
        and normalized_name(person.last_name) == normalized_name(identity.family_name)
        and _given_names_agree(identity, person.first_name)
        and nir_agrees(identity, person.nir)
    )


def the_one_match(identity: PivotIdentity, people: Iterable[InsuredPerson]) -> InsuredPerson:
    """The single insured person matching the identity.

    Raises:
        IdentityRefused: nobody matches, or more than one person does.
    """
    found = [person for person in people if matches(identity, person)]
    if len(found) != 1:
        raise IdentityRefused("no account" if not found else "several accounts")
    return found[0]


def login_with_franceconnect(
    *,
    session: Session,
    identity: PivotIdentity,
    id_token: str,
    client_ip: str = "",
    now: datetime | None = None,
) -> auth.OpenedSession:
    """Open the session of the insured FranceConnect identified, as a NIR + code login would.

    Raises:
        IdentityRefused: no account, or several, match the identity.
        auth.LoginRefused: that NIR or this client address is locked by failed logins.
    """
    rows = session.exec(
        select(InsuredPerson, Account)
        .join(Account, Account.insured_id == InsuredPerson.id)  # type: ignore[arg-type]
        .where(InsuredPerson.birth_date == identity.birthdate)
    ).all()
    person = the_one_match(identity, (person for person, _ in rows))
    account = next(account for candidate, account in rows if candidate is person)
    return auth.login_identified_insured(
        session=session, account=account, nir=person.nir, id_token=id_token, client_ip=client_ip, now=now
    )
