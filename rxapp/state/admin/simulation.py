"""The NOEMIE flow simulation, for demos and tests."""

from __future__ import annotations

from typing import Any

import reflex as rx

from rxapp.services import medialog
from rxapp.state.admin.views import OrganisationOption
from rxapp.state.auth import AgentAuthState
from rxapp.state.gate import SERVICE_UNAVAILABLE, agent_handler, in_session

MAX_FIELD_LENGTH = 120
MAX_MEMBER_NUMBER_LENGTH = 30  # the contract column's size

SIMULATED = (
    "Contrat ajouté. Le prochain passage de la détection bloquera la transmission et l'assuré "
    "verra la fenêtre à sa prochaine connexion."
)
SIMULATION_FIELDS = "Renseignez le NIR, le prénom du bénéficiaire et l'organisme."
MEMBER_NUMBER_TOO_LONG = f"Le numéro d'adhérent fait {MAX_MEMBER_NUMBER_LENGTH} caractères au plus."


def _form_text(form_data: object, name: str) -> str | None:
    """A text field of submitted form data, or None when the data is not what a form sends."""
    if not isinstance(form_data, dict):
        return None
    value = form_data.get(name, "")
    return value if isinstance(value, str) and len(value) <= MAX_FIELD_LENGTH else None


class AdminSimulationState(AgentAuthState):
    """ "Simuler un flux NOEMIE": a new OC contract, for demos and tests."""

    organisations: list[OrganisationOption] = []
    error: str = ""
    message: str = ""

    def _forget(self) -> None:
        self.organisations = []

    def _show_unavailable(self) -> None:
        self.error = SERVICE_UNAVAILABLE

    @rx.event
    @agent_handler
    async def load(self, _agent_id: int):
        """on_load: re-check the session, then list the organisations."""
        self.error = self.message = ""
        rows = await in_session(medialog.organisations_for_simulation)
        self.organisations = [
            OrganisationOption(str(organisation_id), name) for organisation_id, name in rows
        ]

    @rx.event
    @agent_handler
    async def simulate(self, agent_id: int, form_data: dict[str, Any]):
        """ "Simuler un flux NOEMIE": the service checks the person belongs to the agent's CPAM."""
        self.error = self.message = ""
        nir = _form_text(form_data, "nir")
        first_name = _form_text(form_data, "first_name")
        organisation = _form_text(form_data, "organisation")
        member_number = _form_text(form_data, "member_number")
        if (
            not nir
            or not nir.strip()
            or not first_name
            or not first_name.strip()
            or not organisation
            or not organisation.isdigit()
            or len(organisation) > 9
            or member_number is None
        ):
            self.error = SIMULATION_FIELDS
            return
        member_number = member_number.strip()
        if len(member_number) > MAX_MEMBER_NUMBER_LENGTH:
            self.error = MEMBER_NUMBER_TOO_LONG
            return
        try:
            await in_session(
                medialog.simulate_noemie_flow,
                agent_id=agent_id,
                nir=nir,
                beneficiary_first_name=first_name,
                organisation_id=int(organisation),
                member_number=member_number,
            )
        except medialog.AffaireRefused as refused:
            self.error = str(refused)
            return
        self.message = SIMULATED
