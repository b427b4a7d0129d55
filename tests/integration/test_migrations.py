"""Alembic on an empty PostgreSQL database: up, down, up, and no drift."""

from __future__ import annotations

import re

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import rxapp.models  # noqa: F401 - the metadata to compare
from alembic import command
from rxapp.db import make_engine
from rxapp.settings import PROJECT_ROOT
from tests.support.databases import scratch_database


def _config(url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["database_url"] = url
    config.attributes["configure_logger"] = False
    return config


def test_upgrade_downgrade_upgrade_on_an_empty_database() -> None:
    with scratch_database("migrations") as url:
        engine = make_engine(url)
        try:
            assert inspect(engine).get_table_names() == []
            command.upgrade(_config(url), "head")
            tables = set(inspect(engine).get_table_names())
            assert set(SQLModel.metadata.tables) <= tables

            command.downgrade(_config(url), "base")
            assert set(inspect(engine).get_table_names()) <= {"alembic_version"}

            command.upgrade(_config(url), "head")
            with engine.connect() as connection:
                context = MigrationContext.configure(connection, opts={"compare_type": True})
                assert context.get_current_revision() is not None
                diff = compare_metadata(context, SQLModel.metadata)
            assert diff == [], f"Les migrations ne correspondent pas aux modèles : {diff}"
        finally:
            engine.dispose()


def test_revisions_are_named() -> None:
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(_config("sqlite://"))
    revisions = list(scripts.walk_revisions())
    assert revisions
    for revision in revisions:
        assert re.fullmatch(r"\d{4}_[a-z0-9_]+", revision.revision), revision.revision
        assert revision.doc, f"revision {revision.revision} has no message"
