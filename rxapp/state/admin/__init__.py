"""Medialog+ back office: agent login, queue, affaire, supervision, simulation; one module per page.

Every handler goes through the agent gate (`rxapp.state.gate.agent_handler`):
the agent session is re-checked in the database before anything is read or
written, and each handler checks its arguments' types, since any websocket
client can call any handler with any arguments. Access to an affaire is
decided by the services (`rxapp.services.medialog`), never here.
"""

from rxapp.state.admin.affaire import (
    CLOSED,
    NO_AFFAIRE,
    PROGRES_UPDATED,
    TAKEN,
    TRANSFERRED,
    AdminAffaireState,
)
from rxapp.state.admin.login import AgentLoginState
from rxapp.state.admin.queue import STATUS_FILTERS, AdminQueueState
from rxapp.state.admin.simulation import (
    MEMBER_NUMBER_TOO_LONG,
    SIMULATED,
    SIMULATION_FIELDS,
    AdminSimulationState,
)
from rxapp.state.admin.supervision import AdminSupervisionState
from rxapp.state.admin.views import (
    CountView,
    DetailLineView,
    HistoryView,
    OrganisationOption,
    QueueRowView,
)

__all__ = [
    "CLOSED",
    "MEMBER_NUMBER_TOO_LONG",
    "NO_AFFAIRE",
    "PROGRES_UPDATED",
    "SIMULATED",
    "SIMULATION_FIELDS",
    "STATUS_FILTERS",
    "TAKEN",
    "TRANSFERRED",
    "AdminAffaireState",
    "AdminQueueState",
    "AdminSimulationState",
    "AdminSupervisionState",
    "AgentLoginState",
    "CountView",
    "DetailLineView",
    "HistoryView",
    "OrganisationOption",
    "QueueRowView",
]
