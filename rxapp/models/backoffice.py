"""Back-office agents of the CPAMs."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel


class Agent(SQLModel, table=True):
    __tablename__ = "agent"

    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(max_length=60, unique=True)
    password_hash: str = Field(max_length=255)
    display_name: str = Field(max_length=120)
    cpam_id: int = Field(foreign_key="cpam.id", index=True)
    # Set by `python -m rxapp.cli agent disable`: the agent can no longer log in.
    disabled_at: datetime | None = None
