"""All SQLModel tables; importing this package registers them on `SQLModel.metadata`."""

from rxapp.models._types import utcnow
from rxapp.models.account import (
    Account,
    FranceConnectFlow,
    LoginFailure,
    Message,
    Notification,
    Payment,
    SatisfactionAnswer,
    SessionKind,
    WebSession,
)
from rxapp.models.backoffice import Agent
from rxapp.models.medialog import Affaire, AffaireEvent, AffaireOutbox, AffaireStatus
from rxapp.models.progres import (
    Beneficiary,
    ComplementaryContract,
    ComplementaryOrganisation,
    Cpam,
    InsuredPerson,
    NoemieLink,
    PrecarityKind,
    Regime,
)
from rxapp.models.teleservice import OverlapRequest, OverlapRequestLine, RequestStatus

__all__ = [
    "Account",
    "Affaire",
    "AffaireEvent",
    "AffaireOutbox",
    "AffaireStatus",
    "Agent",
    "Beneficiary",
    "ComplementaryContract",
    "ComplementaryOrganisation",
    "Cpam",
    "FranceConnectFlow",
    "InsuredPerson",
    "LoginFailure",
    "Message",
    "NoemieLink",
    "Notification",
    "OverlapRequest",
    "OverlapRequestLine",
    "Payment",
    "PrecarityKind",
    "Regime",
    "RequestStatus",
    "SatisfactionAnswer",
    "SessionKind",
    "WebSession",
    "utcnow",
]
