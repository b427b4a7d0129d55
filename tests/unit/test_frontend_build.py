"""The frontend is built again only when what it is built from changed (`rxapp.cli export`, `serve`)."""

from __future__ import annotations

import fcntl
import gzip
import os
import threading
import time
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
    [
        {"session_idle_timeout": 600.0},
        {"keep_modulepreloads": True},
        {"public_url": "https://ameli.example/compte"},  # a path: built in, not relocated
    ],
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
        {"flood_cooldown_seconds": 5.0},
        {"demo_history": True},
        {"redis_url": "redis://127.0.0.1:6379/0"},  # and with it, Reflex's state-manager variables
        {"app_port": 3100},  # the address: `relocate` writes it into the build
        {"public_url": "https://compte.ameli.example"},
    ],
)
def test_what_only_the_processes_read_keeps_the_build(change: dict[str, object]) -> None:
    base: dict[str, object] = {"redis_url": None, "demo_history": False}
    fingerprint = frontend_build.frontend_fingerprint
    assert fingerprint(_settings(**base | change)) == fingerprint(_settings(**base))


def test_the_folder_a_build_is_made_in_keeps_the_build(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _settings()
    monkeypatch.delenv("REFLEX_WEB_WORKDIR", raising=False)
    in_web = frontend_build.frontend_fingerprint(settings)
    monkeypatch.setenv("REFLEX_WEB_WORKDIR", ".web-1")
    assert frontend_build.frontend_fingerprint(settings) == in_web
    monkeypatch.setenv("REFLEX_ENV_MODE", "dev")  # any other Reflex variable makes another build
    assert frontend_build.frontend_fingerprint(settings) != in_web


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


@pytest.fixture
def build_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The build in place, its stamp and the kept builds, under `tmp_path`."""
    monkeypatch.setattr(frontend_build, "FRONTEND_DIR", tmp_path / "client")
    monkeypatch.setattr(frontend_build, "BUILD_STAMP", tmp_path / "stamp.txt")
    monkeypatch.setattr(frontend_build, "BUILDS_KEPT_DIR", tmp_path / "kept")
    monkeypatch.setattr(frontend_build, "BUILD_LOCK", tmp_path / "build.lock")


def _waits_for_the_lock(lock: Path) -> bool:
    """Whether a flock on `lock` is waited for (a `->` line of /proc/locks names its inode)."""
    inode = f":{lock.stat().st_ino} "
    return any("->" in line and inode in line for line in Path("/proc/locks").read_text().splitlines())


@pytest.mark.usefixtures("build_in_tmp")
def test_the_sources_are_read_once_the_build_in_progress_is_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reflex rewrites reflex.lock/package.json while it builds, in another layout, and puts it
    back at the end: read meanwhile, it made a fingerprint no build is made from, and a second
    build of the same frontend."""
    project = tmp_path / "project"
    project.mkdir()
    package = project / "package.json"
    package.write_text('{"name":"reflex"}')
    monkeypatch.setattr(frontend_build, "PROJECT_ROOT", project)
    monkeypatch.setattr(frontend_build, "FRONTEND_SOURCE_DIRS", ())
    monkeypatch.setattr(frontend_build, "FRONTEND_SOURCE_FILES", ("package.json",))
    settings = _settings()
    built = frontend_build.frontend_fingerprint(settings)
    frontend_build.FRONTEND_DIR.mkdir()
    (frontend_build.FRONTEND_DIR / "index.html").write_text("the build just made")
    frontend_build.BUILD_STAMP.write_text(built)

    outcome: list[int] = []
    with frontend_build.BUILD_LOCK.open("w") as lock:  # a build in progress
        fcntl.flock(lock, fcntl.LOCK_EX)
        package.write_text('{"name": "reflex"}')
        export = threading.Thread(target=lambda: outcome.append(frontend_build.export_frontend(settings)))
        export.start()
        deadline = time.monotonic() + 10
        while not _waits_for_the_lock(frontend_build.BUILD_LOCK):
            assert time.monotonic() < deadline, "export did not wait for the build in progress"
            time.sleep(0.01)
        package.write_text('{"name":"reflex"}')  # the build ends: the file is put back
    export.join(timeout=30)

    # Read before the lock, the sources gave another fingerprint: `reflex export` ran (and failed
    # here, this project being no app).
    assert outcome == [0]
    assert frontend_build.BUILD_STAMP.read_text() == built


@pytest.mark.usefixtures("build_in_tmp")
def test_a_kept_build_is_put_back_instead_of_built_again() -> None:
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


def _env_chunk(build: Path, base: str) -> Path:
    """A build's `reflex-env` chunk as Reflex writes it, with its gzip twin, calling `base`."""
    host = base.split("://", 1)[1]
    socket = "wss" if base.startswith("https") else "ws"
    chunk = build / "assets" / "reflex-env-Biom79iD.js"
    chunk.parent.mkdir(parents=True, exist_ok=True)
    chunk.write_text(
        f"var e={{PING:`{base}/ping`,EVENT:`{socket}://{host}/_event`,UPLOAD:`{base}/_upload`,"
        "TRANSPORT:`websocket`,TEST_MODE:!1};export{e as t};"
    )
    chunk.with_name(chunk.name + ".gz").write_bytes(gzip.compress(chunk.read_bytes()))
    return chunk


@pytest.mark.parametrize(
    ("base", "socket"),
    [("http://localhost:3100", "ws://localhost:3100"), ("https://compte.ameli.fr", "wss://compte.ameli.fr")],
)
def test_a_build_moved_to_another_address_calls_that_address_back(
    tmp_path: Path, base: str, socket: str
) -> None:
    chunk = _env_chunk(tmp_path, "http://localhost:3000")
    other = tmp_path / "assets" / "other-Cx1.js"
    other.write_text("fetch(`http://localhost:3000/elsewhere`)")

    assert frontend_build.relocate(tmp_path, base)

    expected = (
        f"var e={{PING:`{base}/ping`,EVENT:`{socket}/_event`,UPLOAD:`{base}/_upload`,"
        "TRANSPORT:`websocket`,TEST_MODE:!1};export{e as t};"
    )
    assert chunk.read_text() == expected
    assert gzip.decompress(chunk.with_name(chunk.name + ".gz").read_bytes()).decode() == expected
    assert other.read_text() == "fetch(`http://localhost:3000/elsewhere`)"  # only Reflex's chunk
    assert not frontend_build.relocate(tmp_path, base)  # already there: nothing written


@pytest.mark.usefixtures("build_in_tmp")
def test_a_kept_build_put_back_at_another_port_calls_that_port() -> None:
    built_at = _settings(app_port=3000)
    _env_chunk(frontend_build.FRONTEND_DIR, built_at.base_url)
    (frontend_build.FRONTEND_DIR / "index.html").write_text("this version")
    frontend_build._keep_build(frontend_build.frontend_fingerprint(built_at))
    frontend_build.BUILD_STAMP.write_text("another")

    assert frontend_build.export_frontend(_settings(app_port=3100)) == 0
    chunk = next(frontend_build.FRONTEND_DIR.glob(frontend_build.ENV_CHUNKS))
    assert "`ws://localhost:3100/_event`" in chunk.read_text() and "3000" not in chunk.read_text()
    kept = next(
        frontend_build._kept_build(frontend_build.frontend_fingerprint(built_at)).glob(
            frontend_build.ENV_CHUNKS
        )
    )
    assert "3000" in kept.read_text()  # the kept copy is left as built

    assert frontend_build.export_frontend(_settings(app_port=3200)) == 0  # the build in place moves too
    assert "`http://localhost:3200/ping`" in chunk.read_text()
