"""The frontend is built again only when what it is built from changed (`rxapp.cli export`, `serve`)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rxapp.commands import frontend_build
from rxapp.settings import Settings


def _settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)


def test_every_runtime_only_setting_is_a_setting() -> None:
    assert set(Settings.model_fields) >= frontend_build.RUNTIME_ONLY_SETTINGS


@pytest.mark.parametrize(
    "change",
    [{"app_port": 3100}, {"public_url": "https://compte.ameli.example"}, {"session_idle_timeout": 600.0}],
)
def test_what_the_pages_read_makes_a_new_build(change: dict[str, object]) -> None:
    fingerprint = frontend_build.frontend_fingerprint
    assert fingerprint(_settings(**change)) != fingerprint(_settings())


@pytest.mark.parametrize(
    "change",
    [
        {"database_url": "postgresql+psycopg://ameli@db:5432/ameli"},
        {"secret_key": "s" * 40},
        {"security_log": "/tmp/security.jsonl"},
        {"trusted_proxies": "10.0.0.1"},
        {"demo_history": True},
        {"redis_url": "redis://127.0.0.1:6379/0"},  # and with it, Reflex's state-manager variables
    ],
)
def test_what_only_the_processes_read_keeps_the_build(change: dict[str, object]) -> None:
    base: dict[str, object] = {"redis_url": None, "demo_history": False}
    fingerprint = frontend_build.frontend_fingerprint
    assert fingerprint(_settings(**base | change)) == fingerprint(_settings(**base))


def test_a_build_is_current_only_whole_and_from_the_same_fingerprint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(frontend_build, "FRONTEND_DIR", tmp_path / "client")
    monkeypatch.setattr(frontend_build, "BUILD_STAMP", tmp_path / "stamp.txt")
    assert not frontend_build.build_is_current("abc")
    frontend_build.BUILD_STAMP.write_text("abc")
    assert not frontend_build.build_is_current("abc")  # no index.html: the build did not finish
    frontend_build.FRONTEND_DIR.mkdir()
    (frontend_build.FRONTEND_DIR / "index.html").write_text("<!doctype html>")
    assert frontend_build.build_is_current("abc")
    assert not frontend_build.build_is_current("def")


def test_a_kept_build_is_put_back_instead_of_built_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(frontend_build, "FRONTEND_DIR", tmp_path / "client")
    monkeypatch.setattr(frontend_build, "BUILD_STAMP", tmp_path / "stamp.txt")
    monkeypatch.setattr(frontend_build, "BUILDS_KEPT_DIR", tmp_path / "kept")
    settings = _settings()
    fingerprint = frontend_build.frontend_fingerprint(settings)
    frontend_build.FRONTEND_DIR.mkdir()
    (frontend_build.FRONTEND_DIR / "index.html").write_text("this version")
    frontend_build._keep_build(fingerprint)
    (frontend_build.FRONTEND_DIR / "index.html").write_text("another version")
    frontend_build.BUILD_STAMP.write_text("another")

    assert frontend_build.export_frontend(settings) == 0  # no `reflex export`: the kept build is put back
    assert (frontend_build.FRONTEND_DIR / "index.html").read_text() == "this version"
    assert frontend_build.build_is_current(fingerprint)


def test_only_the_last_builds_are_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(frontend_build, "FRONTEND_DIR", tmp_path / "client")
    monkeypatch.setattr(frontend_build, "BUILDS_KEPT_DIR", tmp_path / "kept")
    frontend_build.FRONTEND_DIR.mkdir()
    (frontend_build.FRONTEND_DIR / "index.html").write_text("a build")
    for number in range(frontend_build.BUILDS_KEPT + 2):
        frontend_build._keep_build(f"build-{number}")
        os.utime(frontend_build.BUILDS_KEPT_DIR / f"build-{number}", (number, number))
    frontend_build._keep_build("newest")
    kept = {path.name for path in frontend_build.BUILDS_KEPT_DIR.iterdir()}
    assert len(kept) == frontend_build.BUILDS_KEPT and "newest" in kept and "build-0" not in kept
