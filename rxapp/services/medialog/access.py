"""Which agent may see and act on which affaire, and the refusals an agent is shown."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from rxapp.models import (
    Affaire,
    AffaireEvent,
    Agent,
    Cpam,
)
from rxapp.models._types import persisted_id
from rxapp.services.audit import ACCESS_REFUSED, security_event
from rxapp.services.routing import DIGNE_CODE_ORGANISME

NOT_YOURS = "Cette affaire ne relève pas de votre CPAM."
CLOSED = "Cette affaire est clôturée : aucune action n'est plus possible."


class AffaireRefused(Exception):
    """An action an agent may not do; the message is French and safe to show."""


def digne_cpam(session: Session) -> Cpam:
    """The CPAM of Digne, which handles every complex affaire."""
    return session.exec(select(Cpam).where(Cpam.code_organisme == DIGNE_CODE_ORGANISME)).one()


def agent_for(session: Session, agent_id: int) -> Agent:
    """The agent, or AffaireRefused (the same answer as another CPAM's affaire)."""
    agent = session.get(Agent, agent_id)
    if agent is None:
        raise AffaireRefused(NOT_YOURS)
    return agent


def visible_to(agent: Agent, digne_cpam_id: int):
    """The SQL condition for the affaires an agent may see and act on."""
    if agent.cpam_id == digne_cpam_id:
        return (col(Affaire.cpam_id) == agent.cpam_id) | col(Affaire.is_complex)
    return col(Affaire.cpam_id) == agent.cpam_id


def affaire_for_agent(session: Session, agent: Agent, affaire_id: object, action: str) -> Affaire:
    """The affaire if the agent may see it; otherwise the refusal is logged and raised.

    Raises:
        AffaireRefused: unknown, or another CPAM's affaire (the same answer).
    """
    affaire = session.get(Affaire, affaire_id) if isinstance(affaire_id, int) else None
    digne_id = persisted_id(digne_cpam(session))
    allowed = affaire is not None and (
        affaire.cpam_id == agent.cpam_id or (agent.cpam_id == digne_id and affaire.is_complex)
    )
    if affaire is None or not allowed:
        security_event(
            ACCESS_REFUSED,
            action=action,
            agent=agent.login,
            affaire_id=affaire_id if isinstance(affaire_id, int) else None,
        )
        raise AffaireRefused(NOT_YOURS)
    return affaire


def record_event(
    session: Session, affaire: Affaire, agent_id: int | None, action: str, now: datetime, detail: str = ""
) -> None:
    """Add one line to the affaire's history (`agent_id` None: Medialog+ itself)."""
    session.add(
        AffaireEvent(
            affaire_id=persisted_id(affaire), at=now, agent_id=agent_id, action=action, detail=detail
        )
    )
