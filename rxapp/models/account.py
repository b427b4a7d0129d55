"""The ameli account: credentials, sessions, notifications, messages,
payments and satisfaction answers."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from rxapp.models._types import enum_column_type, utcnow


class SessionKind(StrEnum):
    INSURED = "ASSURE"
    AGENT = "AGENT"


class Account(SQLModel, table=True):
    """An insured person's ameli account; the code is stored as an argon2 hash."""

    __tablename__ = "account"

    id: int | None = Field(default=None, primary_key=True)
    insured_id: int = Field(foreign_key="insured_person.id", unique=True)
    code_hash: str = Field(max_length=255)
    created_at: datetime = Field(default_factory=utcnow)
    last_login_at: datetime | None = None
    previous_login_at: datetime | None = None
    has_unresolved_overlap: bool = False


class WebSession(SQLModel, table=True):
    """A server-side session. Only the SHA-256 of the random id is stored."""

    __tablename__ = "web_session"
    __table_args__ = (
        sa.CheckConstraint(
            "(kind = 'ASSURE' AND account_id IS NOT NULL AND agent_id IS NULL)"
            " OR (kind = 'AGENT' AND agent_id IS NOT NULL AND account_id IS NULL)",
            name="owner",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    kind: SessionKind = Field(sa_type=enum_column_type(SessionKind))
    account_id: int | None = Field(default=None, foreign_key="account.id", index=True)
    agent_id: int | None = Field(default=None, foreign_key="agent.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    revoked_at: datetime | None = None
    # "Plus tard" and the banner's close button hold until the next login.
    overlap_dialog_dismissed: bool = False
    overlap_banner_closed: bool = False
    # A FranceConnect login keeps its id_token here, server-side only: the logout sends it back
    # to FranceConnect as id_token_hint.
    franceconnect_id_token: str | None = Field(default=None, sa_type=sa.Text)
    # The login's single-use ticket (its SHA-256), exchanged once for the cookie (services/tickets.py).
    ticket_hash: str | None = Field(default=None, max_length=64, unique=True)
    ticket_expires_at: datetime | None = None


class LoginFailure(SQLModel, table=True):
    """A failed login, counted to throttle guessing (per NIR or agent login, and per client)."""

    __tablename__ = "login_failure"
    __table_args__ = (
        sa.Index("ix_login_failure_subject_at", "subject", "at"),
        sa.Index("ix_login_failure_client_at", "client_ip", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    subject: str = Field(max_length=80, description="the NIR's 13 characters, or agent:<login>")
    client_ip: str = Field(default="", max_length=64)
    at: datetime = Field(default_factory=utcnow)


class InboxEntry(SQLModel):
    """What a notification and a message share: an entry of the account's inbox, read or not.

    Not a table: each subclass is one, indexed on (account_id, created_at).
    """

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id")
    created_at: datetime = Field(default_factory=utcnow)
    read_at: datetime | None = None


class Notification(InboxEntry, table=True):
    __tablename__ = "notification"
    __table_args__ = (sa.Index("ix_notification_account_created", "account_id", "created_at"),)

    title: str = Field(max_length=120)
    body: str = Field(max_length=2000)


class Message(InboxEntry, table=True):
    """A message of the account's messagerie."""

    __tablename__ = "message"
    __table_args__ = (sa.Index("ix_message_account_created", "account_id", "created_at"),)

    subject: str = Field(max_length=200)
    body: str = Field(max_length=4000)


class Payment(SQLModel, table=True):
    """A reimbursement paid to the insured, and whether it reached an OC."""

    __tablename__ = "payment"
    __table_args__ = (sa.Index("ix_payment_account_paid", "account_id", "paid_on"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id")
    beneficiary_id: int = Field(foreign_key="beneficiary.id")
    paid_on: date
    label: str = Field(max_length=200)
    amount_cents: int
    transmitted_to_oc: bool = True


class SatisfactionAnswer(SQLModel, table=True):
    """The answer to "Etes-vous satisfait de ce service ?", one per request."""

    __tablename__ = "satisfaction_answer"

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="overlap_request.id", unique=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    satisfied: bool
    created_at: datetime = Field(default_factory=utcnow)


class FranceConnectFlow(SQLModel, table=True):
    """A FranceConnect login or logout under way (when there is no Redis): one use, short-lived.

    Keyed by the SHA-256 of its `state`; `data` holds what the return must check (the nonce,
    the hash of the browser's binding cookie).
    """

    __tablename__ = "franceconnect_flow"

    state_hash: str = Field(max_length=64, primary_key=True)
    purpose: str = Field(max_length=16)
    data: str = Field(sa_type=sa.Text)
    expires_at: datetime
