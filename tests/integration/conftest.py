"""Fixtures shared by the integration modules that start the app."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def security_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The app's SECURITY_LOG, one file per module (a module's app writes it, its tests read it)."""
    return tmp_path_factory.mktemp("security") / "security.jsonl"
