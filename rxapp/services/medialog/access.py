"""Which agent may see and act on which affaire, and the refusals an agent is shown."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, or_
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


def visible_to(agent: Agent, digne_cpam_id: int) -> ColumnElement[bool]:
    """The access rule, as an SQL condition: the affaires an agent may see and act on.

    An agent sees their own CPAM's affaires; the agents of Digne also see every
    complex affaire. This is the only place the rule is written: the queue and
    the supervision filter with it, and `affaire_for_agent` checks one affaire
    with it.
    """
    own_cpam = col(Affaire.cpam_id) == agent.cpam_id
    if agent.cpam_id == digne_cpam_id:
        return or_(own_cpam, col(Affaire.is_complex))
    return own_cpam


def visible_scope(session: Session, agent: Agent) -> ColumnElement[bool]:
    """`visible_to` for this agent, with the CPAM of Digne read from the database."""
    return visible_to(agent, persisted_id(digne_cpam(session)))


def affaire_for_agent(session: Session, agent: Agent, affaire_id: int | None, action: str) -> Affaire:
    """The affaire if the agent may see it; otherwise the refusal is logged and raised.

    Raises:
        AffaireRefused: unknown, or another CPAM's affaire (the same answer).
    """
    affaire = None
    if affaire_id is not None:
        affaire = session.exec(
            select(Affaire).where(Affaire.id == affaire_id, visible_scope(session, agent))
        ).first()
    if affaire is None:
        security_event(
            ACCESS_REFUSED,
            action=action,
            agent=agent.login,
            affaire_id=affaire_id,
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
