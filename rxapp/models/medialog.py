"""Medialog+, the CPAMs' CRM: affaires and their history."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from rxapp.models._types import enum_column_type, utcnow


class AffaireStatus(StrEnum):
    NEW = "NOUVELLE"
    IN_PROGRESS = "EN_COURS"
    CLOSED = "CLOTUREE"


class Affaire(SQLModel, table=True):
    """A case created from an overlap request, handled by a CPAM's back office."""

    __tablename__ = "affaire"
    __table_args__ = (
        # The agents' queue, in due-date order, with or without a status filter.
        sa.Index("ix_affaire_queue", "cpam_id", "status", "due_at", "id"),
        sa.Index("ix_affaire_cpam_due", "cpam_id", "due_at", "id"),
        sa.Index("ix_affaire_complex_queue", "is_complex", "status", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=20, unique=True)
    request_id: int = Field(foreign_key="overlap_request.id", unique=True)
    cpam_id: int = Field(foreign_key="cpam.id")
    is_complex: bool = False
    status: AffaireStatus = Field(default=AffaireStatus.NEW, sa_type=enum_column_type(AffaireStatus))
    owner_agent_id: int | None = Field(default=None, foreign_key="agent.id")
    created_at: datetime = Field(default_factory=utcnow)
    due_at: datetime
    progres_updated_at: datetime | None = None
    closed_at: datetime | None = None
    # Closure side effects, each done once: the account notification, the email.
    notified_at: datetime | None = None
    avis_sent_at: datetime | None = None


class AffaireOutbox(SQLModel, table=True):
    """A request waiting to become an affaire (transactional outbox).

    Written in the same transaction as the request; the task is queued after
    the commit, and a periodic relay queues again what is still not done.
    """

    __tablename__ = "affaire_outbox"
    __table_args__ = (
        sa.Index(
            "ix_outbox_pending",
            "queued_at",
            postgresql_where=sa.text("done_at IS NULL"),
            sqlite_where=sa.text("done_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="overlap_request.id", unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    queued_at: datetime | None = None
    attempts: int = 0
    done_at: datetime | None = None
    last_error: str = Field(default="", max_length=300)


class AffaireEvent(SQLModel, table=True):
    """One line of an affaire's history."""

    __tablename__ = "affaire_event"

    id: int | None = Field(default=None, primary_key=True)
    affaire_id: int = Field(foreign_key="affaire.id", index=True)
    at: datetime = Field(default_factory=utcnow)
    agent_id: int | None = Field(default=None, foreign_key="agent.id")
    action: str = Field(max_length=40)
    detail: str = Field(default="", max_length=500)
