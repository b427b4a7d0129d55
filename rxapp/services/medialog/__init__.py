"""Medialog+, the CPAMs' CRM: affaires created from requests, and what agents do with them.

One module per job; every public name is re-exported here, so callers keep
`from rxapp.services import medialog` and `medialog.take_charge(...)`.
"""

from rxapp.services.medialog.access import CLOSED, NOT_YOURS, AffaireRefused, visible_to
from rxapp.services.medialog.actions import (
    ALREADY_DIGNE,
    MAX_TRANSFER_REASON,
    REASON_NEEDED,
    UPDATE_FIRST,
    close_affaire,
    take_charge,
    transfer_to_digne,
    update_progres,
)
from rxapp.services.medialog.closure import (
    CLOSURE_BODY,
    CLOSURE_TITLE,
    ClosureRecipient,
    apply_closure,
    closure_account,
    closure_recipient,
    mark_avis_sent,
)
from rxapp.services.medialog.creation import (
    PROCESSING_TARGET,
    AffaireCreated,
    create_affaire_for_request,
    create_affaires_for_requests,
)
from rxapp.services.medialog.detail import (
    AffaireDetail,
    AgentProfile,
    ContractSummary,
    DetailLine,
    HistoryEntry,
    affaire_detail,
    affaire_id_for_reference,
    agent_profile,
)
from rxapp.services.medialog.queue import (
    PER_PAGE,
    PROCESSING_BUCKETS,
    QUEUE_STATUSES,
    QueuePage,
    QueueRow,
    Supervision,
    affaire_queue,
    supervision_for,
)
from rxapp.services.medialog.simulation import organisations_for_simulation, simulate_noemie_flow

__all__ = [
    "ALREADY_DIGNE",
    "CLOSED",
    "CLOSURE_BODY",
    "CLOSURE_TITLE",
    "MAX_TRANSFER_REASON",
    "NOT_YOURS",
    "PER_PAGE",
    "PROCESSING_BUCKETS",
    "PROCESSING_TARGET",
    "QUEUE_STATUSES",
    "REASON_NEEDED",
    "UPDATE_FIRST",
    "AffaireCreated",
    "AffaireDetail",
    "AffaireRefused",
    "AgentProfile",
    "ClosureRecipient",
    "ContractSummary",
    "DetailLine",
    "HistoryEntry",
    "QueuePage",
    "QueueRow",
    "Supervision",
    "affaire_detail",
    "affaire_id_for_reference",
    "affaire_queue",
    "agent_profile",
    "apply_closure",
    "close_affaire",
    "closure_account",
    "closure_recipient",
    "create_affaire_for_request",
    "create_affaires_for_requests",
    "mark_avis_sent",
    "organisations_for_simulation",
    "simulate_noemie_flow",
    "supervision_for",
    "take_charge",
    "transfer_to_digne",
    "update_progres",
    "visible_to",
]
