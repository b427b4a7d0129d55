"""The teleservice: an overlap request and one line per beneficiary."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from rxapp.models._types import enum_column_type, utcnow


class RequestStatus(StrEnum):
    PENDING = "EN_COURS"
    PROCESSED = "TRAITEE"


class OverlapRequest(SQLModel, table=True):
    """The demande made by an insured to resolve their overlap."""

    __tablename__ = "overlap_request"
    __table_args__ = (
        sa.Index("ix_request_account_created", "account_id", "created_at"),
        # At most one pending request per account: a second tab or a replayed
        # event cannot create a duplicate, even at the same instant.
        sa.Index(
            "uq_request_one_pending_per_account",
            "account_id",
            unique=True,
            postgresql_where=sa.text("status = 'EN_COURS'"),
            sqlite_where=sa.text("status = 'EN_COURS'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=20, unique=True, description="public, e.g. DEM-2026-7Q4K9M2X")
    account_id: int = Field(foreign_key="account.id")
    created_at: datetime = Field(default_factory=utcnow)
    status: RequestStatus = Field(default=RequestStatus.PENDING, sa_type=enum_column_type(RequestStatus))
    processed_at: datetime | None = None
    affaire_reference: str | None = Field(default=None, max_length=20)


class OverlapRequestLine(SQLModel, table=True):
    """For one beneficiary: the contract kept and the contract rejected."""

    __tablename__ = "overlap_request_line"
    __table_args__ = (sa.UniqueConstraint("request_id", "beneficiary_id", name="uq_line_beneficiary"),)

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="overlap_request.id", index=True)
    beneficiary_id: int = Field(foreign_key="beneficiary.id")
    chosen_contract_id: int = Field(foreign_key="complementary_contract.id")
    rejected_contract_id: int = Field(foreign_key="complementary_contract.id")
