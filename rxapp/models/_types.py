"""Column helpers shared by the tables.

Datetimes are time-zone aware and stored in UTC: SQLModel's `UTCDateTime`
column refuses naive values. `utcnow()` is the clock the models use.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum

import sqlalchemy as sa
from sqlmodel import SQLModel

# Stable constraint names, so that migrations can drop what they create.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def enum_column_type(enum_cls: type[Enum]) -> sa.Enum:
    """A portable enum column: a VARCHAR holding the member's value."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        length=24,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


def persisted_id(row: SQLModel) -> int:
    """The primary key of a flushed row (SQLModel types it as optional)."""
    row_id = getattr(row, "id", None)
    if row_id is None:
        raise RuntimeError(f"{type(row).__name__} has no id: flush it first")
    return int(row_id)
