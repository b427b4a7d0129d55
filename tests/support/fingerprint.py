"""Proof that nothing changed: an md5 of every row of each business table."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

BUSINESS_TABLES = (
    "overlap_request",
    "overlap_request_line",
    "affaire",
    "affaire_event",
    "affaire_outbox",
    "notification",
    "message",
    "payment",
    "satisfaction_answer",
    "complementary_contract",
)


def fingerprint_table(connection: Connection, table: str) -> str:
    """An md5 of every row of `table`, in a stable order ("" when it is empty)."""
    return connection.execute(
        text(f"SELECT coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM {table} t")
    ).scalar_one()


def fingerprint(engine: Engine) -> dict[str, str]:
    """The fingerprint of each business table: equal fingerprints, nothing changed."""
    with engine.connect() as connection:
        return {table: fingerprint_table(connection, table) for table in BUSINESS_TABLES}
