"""The "Vos informations" page."""

from __future__ import annotations

import dataclasses

import reflex as rx

from rxapp.services.formatting import format_day, format_partner_regime, format_person_name
from rxapp.services.information import PersonInformation, information_for
from rxapp.services.nir import format_nir
from rxapp.state.auth import AuthState
from rxapp.state.gate import insured_handler
from rxapp.state.page import InsuredPage


@dataclasses.dataclass
class PersonRow:
    first_name: str
    birth_date: str
    request_date: str
    organisations: str
    transmission_blocked: bool


def person_row(person: PersonInformation) -> PersonRow:
    """What the page shows of one beneficiary: display strings, the request date empty when none."""
    return PersonRow(
        first_name=person.first_name,
        birth_date=format_day(person.birth_date),
        request_date=format_day(person.requested_at) if person.requested_at is not None else "",
        organisations=" / ".join(person.organisations),
        transmission_blocked=person.transmission_blocked,
    )


class InformationState(InsuredPage, AuthState):
    full_name: str = ""
    nir: str = ""
    rights_open: bool = True
    cpam_name: str = ""
    cpam_code: str = ""
    doctor: str = ""
    doctor_specialty: str = ""
    doctor_declared_on: str = ""
    persons: list[PersonRow] = []

    @rx.event
    @insured_handler
    async def load(self, account_id: int):
        """on_load: re-check the session, then read the account's information."""
        view = await self._read(information_for, account_id=account_id)
        self.full_name = format_person_name(view.first_name, view.last_name)
        self.nir = format_nir(view.nir)
        self.rights_open = view.rights_open
        self.cpam_name = (
            view.cpam_name if view.cpam_name is not None else format_partner_regime(view.regime.value)
        )
        self.cpam_code = view.cpam_code
        self.doctor = view.doctor
        self.doctor_specialty = view.doctor_specialty
        declared_on = view.doctor_declared_on
        self.doctor_declared_on = format_day(declared_on) if declared_on is not None else ""
        self.persons = [person_row(p) for p in view.persons]
        self.loaded = True
