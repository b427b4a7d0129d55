"""The NOEMIE flow simulation, for demos and tests."""

from __future__ import annotations

from typing import Any

import reflex as rx

from rxapp.features import demo_features_enabled
from rxapp.services import medialog
from rxapp.services.audit import ACCESS_REFUSED, security_event
from rxapp.settings import get_settings
from rxapp.state.admin.views import OrganisationOption
from rxapp.state.auth import AgentAuthState
from rxapp.state.forms import (
    MAX_MEMBER_NUMBER_LENGTH,
    SimulationRefused,
    noemie_simulation,
    refuse_input,
)
from rxapp.state.gate import SERVICE_UNAVAILABLE, agent_handler, in_session

SIMULATED = (
    "Contrat ajouté. Le prochain passage de la détection bloquera la transmission et l'assuré "
    "verra la fenêtre à sa prochaine connexion."
)
SIMULATION_FIELDS = "Renseignez le NIR, le prénom du bénéficiaire et l'organisme."
MEMBER_NUMBER_TOO_LONG = f"Le numéro d'adhérent fait {MAX_MEMBER_NUMBER_LENGTH} caractères au plus."


def _demo_only(state: rx.State, handler: str) -> bool:
    """True (and logged) when this deployment has no demo features: the handler must do nothing.

    The page is not even registered in production; this refuses a forged event all the same.
    """
    if demo_features_enabled(get_settings()):
        return False
    security_event(
        ACCESS_REFUSED, action=f"{type(state).__name__}.{handler}", kind="agent", reason="demo_only"
    )
    return True


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
        if _demo_only(self, "load"):
            return
        self.error = self.message = ""
        rows = await in_session(medialog.organisations_for_simulation)
        self.organisations = [
            OrganisationOption(str(organisation_id), name) for organisation_id, name in rows
        ]

    @rx.event
    @agent_handler
    async def simulate(self, agent_id: int, form_data: dict[str, Any]):
        """ "Simuler un flux NOEMIE": the service checks the person belongs to the agent's CPAM."""
        if _demo_only(self, "simulate"):
            return
        self.error = self.message = ""
        try:
            form = noemie_simulation(
                form_data, fields_needed=SIMULATION_FIELDS, member_number_too_long=MEMBER_NUMBER_TOO_LONG
            )
        except SimulationRefused as refusal:
            refuse_input(self, "simulate", "incomplete_form", forged=False)
            self.error = str(refusal)
            return
        try:
            await in_session(
                medialog.simulate_noemie_flow,
                agent_id=agent_id,
                nir=form.nir,
                beneficiary_first_name=form.first_name,
                organisation_id=form.organisation_id,
                member_number=form.member_number,
            )
        except medialog.AffaireRefused as refused:
            self.error = str(refused)
            return
        self.message = SIMULATED
