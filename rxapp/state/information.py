"""The "Vos informations" page."""

from __future__ import annotations

import asyncio
import dataclasses

import reflex as rx
from sqlalchemy.exc import SQLAlchemyError

from rxapp import routes
from rxapp.db import session_scope
from rxapp.services.information import InformationView, information_for
from rxapp.state.auth import SERVICE_UNAVAILABLE, AuthState


@dataclasses.dataclass
class PersonRow:
    first_name: str
    birth_date: str
    request_date: str
    organisations: str
    transmission_blocked: bool


def _information(account_id: int) -> InformationView:
    with session_scope() as session:
        return information_for(session=session, account_id=account_id)


class InformationState(AuthState):
    loaded: bool = False
    unavailable: str = ""
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
    async def load(self):
        try:
            account_id = await self._current_account_id()
            if account_id is None:
                self.loaded = False
                return rx.redirect(routes.LOGIN)
            view = await asyncio.to_thread(_information, account_id)
        except SQLAlchemyError:
            self.unavailable = SERVICE_UNAVAILABLE
            return None
        self.unavailable = ""
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
        return None
