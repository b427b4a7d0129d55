"""Arguments from the browser, checked and converted once, before any service sees them.

Any websocket client can send any JSON as a handler's arguments. Each parse
function here returns typed values, or None when the argument is not what the
page sends; the handler then refuses with its French message and logs
`input_refused` (`refuse_input`). The services take the typed values.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from rxapp.services import medialog
from rxapp.services.audit import INPUT_REFUSED, security_event

MAX_FIELD_LENGTH = 120
MAX_MEMBER_NUMBER_LENGTH = 30  # the contract column's size
MAX_ORGANISATION_DIGITS = 9
MAX_CHOICES = 10  # well above the 4 beneficiaries the teleservice accepts
REFERENCE_PATTERN = re.compile(r"AFF-\d{4}-[A-Z0-9]{8}")


def refuse_input(state: object, handler: str, reason: str, *, forged: bool = True) -> None:
    """Log an argument a handler refused.

    Args:
        state: the state whose handler was called.
        handler: the handler's name, as the browser calls it.
        reason: what was wrong, in a word or two (never the value itself).
        forged: True when only a forged event can send it (logged as a warning);
            False for what a person can type in the form (logged as information).
    """
    security_event(
        INPUT_REFUSED,
        level=logging.WARNING if forged else logging.INFO,
        action=f"{type(state).__name__}.{handler}",
        reason=reason,
    )


def form_text(form_data: object, name: str, *, max_length: int = MAX_FIELD_LENGTH) -> str | None:
    """A text field of submitted form data ("" when absent), or None when it is not what a form sends."""
    if not isinstance(form_data, dict):
        return None
    value = form_data.get(name, "")
    return value if isinstance(value, str) and len(value) <= max_length else None


def is_flag(value: object) -> bool:
    """Whether `value` is a real boolean (not 1, "true" or None)."""
    return isinstance(value, bool)


def is_item_id(value: object) -> bool:
    """Whether `value` is an integer id (a bool is not one)."""
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class Credentials:
    """A login form's two fields, as typed (the secret is never kept in state)."""

    login: str
    secret: str


def credentials(form_data: object, login_field: str, secret_field: str) -> Credentials | None:
    """The login and secret of a login form, or None when the data is not what the form sends."""
    if not isinstance(form_data, dict):
        return None
    login, secret = form_data.get(login_field), form_data.get(secret_field)
    if not isinstance(login, str) or not isinstance(secret, str):
        return None
    return Credentials(login, secret)


def transfer_reason(form_data: object) -> str | None:
    """The transfer form's reason: some text, at most `medialog.MAX_TRANSFER_REASON` characters."""
    reason = form_text(form_data, "reason", max_length=medialog.MAX_TRANSFER_REASON)
    return reason if reason and reason.strip() else None


def affaire_reference(value: object) -> str | None:
    """A public affaire reference such as `AFF-2026-7Q4K9M2X`, or None."""
    return value if isinstance(value, str) and REFERENCE_PATTERN.fullmatch(value) else None


@dataclass(frozen=True)
class NoemieSimulation:
    """The "Simuler un flux NOEMIE" form, checked."""

    nir: str
    first_name: str
    organisation_id: int
    member_number: str


class SimulationRefused(ValueError):
    """The simulation form is incomplete or malformed; the message is the French one to show."""


def noemie_simulation(
    form_data: object, *, fields_needed: str, member_number_too_long: str
) -> NoemieSimulation:
    """The simulation form's fields, typed.

    Raises:
        SimulationRefused: `fields_needed` or `member_number_too_long` as its message.
    """
    nir = form_text(form_data, "nir")
    first_name = form_text(form_data, "first_name")
    organisation = form_text(form_data, "organisation")
    member_number = form_text(form_data, "member_number")
    if (
        not nir
        or not nir.strip()
        or not first_name
        or not first_name.strip()
        or not organisation
        or not organisation.isdigit()
        or len(organisation) > MAX_ORGANISATION_DIGITS
        or member_number is None
    ):
        raise SimulationRefused(fields_needed)
    member_number = member_number.strip()
    if len(member_number) > MAX_MEMBER_NUMBER_LENGTH:
        raise SimulationRefused(member_number_too_long)
    return NoemieSimulation(nir, first_name, int(organisation), member_number)


class ChosenOption(Protocol):
    """What the selection page keeps of a beneficiary: its id and the chosen contract's."""

    id: str
    chosen: str


def choices(beneficiaries: Iterable[ChosenOption]) -> dict[int, int] | None:
    """{beneficiary id: chosen contract id} of the beneficiaries with a choice, or None if malformed."""
    chosen: dict[int, int] = {}
    for beneficiary in beneficiaries:
        if len(chosen) >= MAX_CHOICES:
            return None
        if not beneficiary.chosen:
            continue
        ids = (beneficiary.id, beneficiary.chosen)
        if not all(isinstance(value, str) and value.isdigit() for value in ids):
            return None
        chosen[int(beneficiary.id)] = int(beneficiary.chosen)
    return chosen
