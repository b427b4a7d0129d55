"""Database engine and sessions, created lazily from the settings."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

from rxapp.settings import get_settings

EVENT_SQL, OTHER_SQL = "events", "other"
# Which source the statements sent in this context count for (rxapp.state.gate sets it; it crosses
# asyncio.to_thread). Kept here, not in rxapp.metrics: importing prometheus_client before the web
# role has chosen its multiprocess directory would keep every counter out of /metrics.
SQL_SOURCE: ContextVar[str] = ContextVar("ameli_sql_source", default=OTHER_SQL)


class DatabaseUnavailable(Exception):
    """The database did not answer; shown to people as a French message."""


def make_engine(url: str, *, pool_size: int = 10, max_overflow: int = 10) -> Engine:
    """Build an engine for `url` with the options each backend needs (the pool: PostgreSQL)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database:
            from pathlib import Path

            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - trivial
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=pool_size,
        max_overflow=max_overflow,
        connect_args={"connect_timeout": 5},
    )


@functools.cache
def get_engine() -> Engine:
    """The process-wide engine for `DATABASE_URL`."""
    settings = get_settings()
    engine = make_engine(
        settings.database_url, pool_size=settings.db_pool_size, max_overflow=settings.db_max_overflow
    )
    event.listen(engine, "before_cursor_execute", _count_statement)
    return engine


def _count_statement(*_arguments: object) -> None:
    """Count each statement of the process's engine, by source (`/metrics`)."""
    from rxapp import metrics

    metrics.SQL_STATEMENTS.labels(source=SQL_SOURCE.get()).inc()


@contextmanager
def session_scope() -> Iterator[Session]:
    """A session whose transaction commits on success and rolls back on error."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except Exception:
            session.rollback()
            raise
