"""The "Vos informations" page."""

from __future__ import annotations

import dataclasses

import reflex as rx

from rxapp.services.information import information_for
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
        self.full_name = view.full_name
        self.nir = view.nir
        self.rights_open = view.rights_open
        self.cpam_name = view.cpam_name
        self.cpam_code = view.cpam_code
        self.doctor = view.doctor
        self.doctor_specialty = view.doctor_specialty
        self.doctor_declared_on = view.doctor_declared_on
        self.persons = [
            PersonRow(
                p.first_name,
                p.birth_date,
                p.request_date,
                " / ".join(p.organisations),
                p.transmission_blocked,
            )
            for p in view.persons
        ]
        self.loaded = True
