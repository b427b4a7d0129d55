"""The frontend's static files, built by Reflex once per version (the `export` role).

A build is identified by a fingerprint of all it is made from: the sources, Reflex's and
Vite's variables and the settings the pages read. `export` keeps the build in place when
its fingerprint has not changed, or puts back one of the last builds kept by fingerprint,
and runs `reflex export` only for a build never made.

The address the pages call back (the app's port, or its public URL) is not part of the
fingerprint: it stands in one small script of the build, Reflex's `reflex-env` chunk, which
`export` rewrites when a build goes to another address (`relocate`). The same version served
on another port, by `make run` or by the tests, is not built again.
"""

from __future__ import annotations

import fcntl
import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit

from rxapp.commands import child_env
from rxapp.settings import PROJECT_ROOT, VAR_DIR, Settings


def frontend_dir(environ: Mapping[str, str]) -> Path:
    """Where `export` puts the static frontend for `environ` (Caddy serves it): in `.web`, or in
    REFLEX_WEB_WORKDIR (relative to the project) when set."""
    return PROJECT_ROOT / (environ.get("REFLEX_WEB_WORKDIR") or ".web") / "build" / "client"


FRONTEND_DIR: Final = frontend_dir(os.environ)
WEB_DIR: Final = FRONTEND_DIR.parent.parent
# What the build in FRONTEND_DIR was made from (`frontend_fingerprint`); in the frontend folder,
# so that a new folder is a new build.
BUILD_STAMP: Final = WEB_DIR / "ameli-frontend-build.txt"
# The last builds, by fingerprint (about 17 MB each): one of them is put back instead of built again,
# in any frontend folder of the checkout (`export` builds one at a time, under BUILD_LOCK).
BUILDS_KEPT_DIR: Final = VAR_DIR / "frontend-builds"
BUILDS_KEPT: Final = 6
# One build at a time in the checkout: `export` holds this lock from reading the sources on.
BUILD_LOCK: Final = VAR_DIR / "frontend-build.lock"
FRONTEND_SOURCE_DIRS: Final = ("rxapp", "assets", "reflex.lock")
FRONTEND_SOURCE_FILES: Final = ("rxconfig.py", "requirements.lock", "pyproject.toml")
BUILD_VARIABLES: Final = ("REFLEX_", "VITE_", "NODE_")
# Of those, the ones the build does not depend on: the backend's state manager, and the folder
# the build is made in (the same build goes to any of the checkout's frontend folders).
RUNTIME_ONLY_VARIABLES: Final = frozenset({"REFLEX_OPLOCK_ENABLED", "REFLEX_WEB_WORKDIR"})
# The settings that make the address the pages call back (`Settings.base_url`): written into the
# build by `relocate`, not built into it.
ADDRESS_SETTINGS: Final = frozenset({"app_port", "public_url"})
# Reflex's chunk holding the backend's addresses (from its `env.json`), and its gzip twin.
ENV_CHUNKS: Final = "assets/reflex-env-*.js"
# Its addresses are template literals: `http://localhost:3000/ping`, `ws://localhost:3000/_event`.
CALLBACK = re.compile(r"`(?:https?|wss?)://[^/`]+")
# Settings read only by the running processes, never by the compiled pages: changing one needs no
# new build. Any other setting, a new one included, counts as part of the build (a safe default).
RUNTIME_ONLY_SETTINGS: Final = frozenset(
    {
        "secret_key",
        "database_url",
        "redis_url",
        "smtp_url",
        "mail_from",
        "medialog_api_token",
        "medialog_api_url",
        "medialog_auto_process_after",
        "demo_history",
        "worker_concurrency",
        "celery_queue",
        "overlap_scan_interval",
        "security_log",
        "broker_visibility_timeout",
        "db_pool_size",
        "db_max_overflow",
        "trusted_proxies",
        "metrics_token",
        "metrics_allowed",
        "worker_metrics_port",
        "log_format",
        "log_level",
        "franceconnect_issuer",
        "franceconnect_client_id",
        "franceconnect_client_secret",
        "franceconnect_local_port",
        "event_rate",
        "event_burst",
        "event_overruns_before_close",
        "flood_closes_before_cooldown",
        "flood_cooldown_seconds",
        "login_rate",
        "login_burst",
        "address_sockets_per_minute",
        "address_events_per_minute",
        "address_logins_per_minute",
    }
)


def _frontend_sources() -> Iterator[Path]:
    """The files a frontend build is made from: the app's code and data, its assets, the locks."""
    for folder in FRONTEND_SOURCE_DIRS:
        for path in sorted((PROJECT_ROOT / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                yield path
    for name in FRONTEND_SOURCE_FILES:
        yield PROJECT_ROOT / name


def frontend_fingerprint(settings: Settings) -> str:
    """A digest of all a frontend build depends on: the sources, Reflex's and Vite's variables,
    and every setting but those only the running processes read and the address (the session
    durations the legal pages state, the demo pages...)."""
    digest = hashlib.sha256()
    for path in _frontend_sources():
        digest.update(f"{path.relative_to(PROJECT_ROOT)}\0".encode())
        digest.update(path.read_bytes())
    variables = {
        key: value
        for key, value in child_env(settings).items()
        if key.startswith(BUILD_VARIABLES) and key not in RUNTIME_ONLY_VARIABLES
    }
    values = settings.model_dump(mode="json", exclude=set(RUNTIME_ONLY_SETTINGS | ADDRESS_SETTINGS))
    # `relocate` moves a build to another host or port; a path under the host is built in.
    values["base_path"] = urlsplit(settings.base_url).path.rstrip("/")
    digest.update(json.dumps([variables, values], sort_keys=True, default=str).encode())
    return digest.hexdigest()


def relocate(build: Path, base_url: str) -> bool:
    """Point the build's pages at `base_url`: rewrite the addresses of its `reflex-env` chunk
    (and of its precompressed copy), http(s) and ws(s) alike.

    Returns:
        Whether a file changed (False when the build already calls `base_url`).
    """
    parts = urlsplit(base_url)
    socket_scheme = "wss" if parts.scheme == "https" else "ws"
    changed = False
    for chunk in build.glob(ENV_CHUNKS):
        text = chunk.read_text()
        moved = CALLBACK.sub(
            lambda found: f"`{socket_scheme if found[0][1:3] == 'ws' else parts.scheme}://{parts.netloc}",
            text,
        )
        if moved == text:
            continue
        chunk.write_text(moved)
        packed = chunk.with_name(chunk.name + ".gz")
        if packed.is_file():
            packed.write_bytes(gzip.compress(moved.encode(), mtime=0))
        changed = True
    return changed


def build_is_current(fingerprint: str) -> bool:
    """Whether the frontend in place was built, whole, from what `fingerprint` digests."""
    built = BUILD_STAMP.read_text() if BUILD_STAMP.is_file() else ""
    return built == fingerprint and (FRONTEND_DIR / "index.html").is_file()


def _kept_build(fingerprint: str) -> Path:
    return BUILDS_KEPT_DIR / fingerprint


def _keep_build(fingerprint: str) -> None:
    """Copy the build in place among the kept ones, and drop the oldest beyond BUILDS_KEPT."""
    kept = _kept_build(fingerprint)
    shutil.rmtree(kept, ignore_errors=True)
    shutil.copytree(FRONTEND_DIR, kept)
    builds = sorted(BUILDS_KEPT_DIR.iterdir(), key=lambda path: path.stat().st_mtime, reverse=True)
    for old in builds[BUILDS_KEPT:]:
        shutil.rmtree(old, ignore_errors=True)


def export_frontend(settings: Settings) -> int:
    """Build the frontend's static files (`reflex export --frontend-only`), once per release.

    A build made from the same sources and settings is not made again: the one in place is
    kept, or one of the last BUILDS_KEPT builds is put back (`serve` then starts in seconds,
    and the tests' apps, served with a few sets of settings, build once per set, whatever their
    port). One build at a time in this folder."""
    place = (
        FRONTEND_DIR.relative_to(PROJECT_ROOT) if FRONTEND_DIR.is_relative_to(PROJECT_ROOT) else FRONTEND_DIR
    )
    BUILD_LOCK.parent.mkdir(parents=True, exist_ok=True)
    with BUILD_LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        # Read the sources once the build in progress, if any, is over: Reflex rewrites
        # reflex.lock/package.json while it builds (in another layout) and puts it back at the end.
        # Read meanwhile, they gave a fingerprint no build is made from, and this process built
        # the same frontend again under it (a fresh checkout's tests made 3 builds instead of 2).
        fingerprint = frontend_fingerprint(settings)
        if build_is_current(fingerprint):
            relocate(FRONTEND_DIR, settings.base_url)
            print(f"Frontend déjà construit pour cette version dans {place}.")
            return 0
        BUILD_STAMP.unlink(missing_ok=True)
        kept = _kept_build(fingerprint)
        if (kept / "index.html").is_file():
            shutil.rmtree(FRONTEND_DIR, ignore_errors=True)
            shutil.copytree(kept, FRONTEND_DIR)
            kept.touch()
            relocate(FRONTEND_DIR, settings.base_url)
            BUILD_STAMP.write_text(fingerprint)
            print(f"Frontend de cette version remis en place dans {place}.")
            return 0
        reflex = str(Path(sys.executable).parent / "reflex")
        command = [reflex, "export", "--frontend-only", "--no-zip", "--env", "prod"]
        result = subprocess.run(command, cwd=PROJECT_ROOT, env=child_env(settings), check=False)
        if result.returncode != 0 or not (FRONTEND_DIR / "index.html").is_file():
            print("L'export du frontend a échoué (voir ci-dessus).", file=sys.stderr)
            return 1
        _keep_build(fingerprint)
        BUILD_STAMP.write_text(fingerprint)
    print(f"Frontend exporté dans {place}.")
    return 0
