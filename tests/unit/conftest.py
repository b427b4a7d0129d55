"""Handler tests run against a real database: the demo data, copied fresh for each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.databases import migrate_and_seed, scratch_database
from tests.support.handlers import app_database, copy_of, unique_name


@pytest.fixture(scope="session")
def demo_template() -> Iterator[str]:
    """A database migrated to head with the demo data, copied by `demo_app`."""
    with scratch_database("handlers_demo") as url:
        migrate_and_seed(url)
        yield url


@pytest.fixture
def demo_app(demo_template: str) -> Iterator[str]:
    """The app's handlers pointed at a fresh copy of the demo database; its URL."""
    with copy_of(demo_template, unique_name()) as url, app_database(url):
        yield url
