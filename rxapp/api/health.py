"""Liveness (`/healthz`) and readiness (`/readyz`) for the reverse proxy and the service manager.

`/readyz` answers JSON: each part checked (database, Redis, broker, a worker heartbeat
seen in the last 60 s) with `ok`, plus the outbox backlog, and 503 naming the failing
parts. Each check has a short timeout; an error is named by its class only, so no
URL, password or token can reach the body.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from rxapp.observability.heartbeat import HEARTBEAT_MAX_AGE, latest_heartbeat_age
from rxapp.settings import VAR_DIR, Settings, get_settings

HEALTHZ = "/healthz"
READYZ = "/readyz"
CHECK_TIMEOUT = 2.0


def _database() -> dict[str, Any]:
    from sqlalchemy import text

    from rxapp.db import get_engine

    with get_engine().connect() as connection:
        connection.execute(text("SELECT 1"))
    return {}


def _ping(url: str) -> dict[str, Any]:
    import redis

    client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
    try:
        client.ping()
    finally:
        client.close()
    return {}


def _sqlite_broker() -> dict[str, Any]:
    import sqlite3

    path = VAR_DIR / "celery-broker.db"
    if not path.exists():
        raise FileNotFoundError("broker database missing")
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1) as connection:
        connection.execute("SELECT 1")
    return {}


def _worker(settings: Settings) -> dict[str, Any]:
    age = latest_heartbeat_age(settings)
    if age is None or age > HEARTBEAT_MAX_AGE:
        raise TimeoutError("no worker heartbeat in the last 60 s")
    return {"heartbeat_age_seconds": round(age, 1)}


def _outbox() -> dict[str, Any]:
    from rxapp.db import session_scope
    from rxapp.services.backlog import outbox_backlog

    with session_scope() as session:
        backlog = outbox_backlog(session=session)
    return {"pending": backlog.pending, "oldest_age_seconds": round(backlog.oldest_age_seconds, 1)}


async def _run(check, *args) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        details = await asyncio.wait_for(asyncio.to_thread(check, *args), timeout=CHECK_TIMEOUT)
        result: dict[str, Any] = {"ok": True, **details}
    except TimeoutError as error:
        result = {"ok": False, "error": str(error) or "timeout"}
    except Exception as error:
        result = {"ok": False, "error": type(error).__name__}
    result["seconds"] = round(time.perf_counter() - started, 3)
    return result


async def readiness(settings: Settings) -> tuple[bool, dict[str, Any]]:
    """Run every check at once; returns (ready, the JSON body)."""
    checks: dict[str, Any] = {"database": (_database,)}
    if settings.uses_redis:
        checks["redis"] = (_ping, settings.reflex_redis_url)
        checks["broker"] = (_ping, settings.celery_broker_url)
    else:
        checks["broker"] = (_sqlite_broker,)
    checks["worker"] = (_worker, settings)
    names = list(checks)
    results = await asyncio.gather(*(_run(*checks[name]) for name in names), _run(_outbox))
    body: dict[str, Any] = dict(zip(names, results[:-1], strict=True))
    failing = [name for name in names if not body[name]["ok"]]
    body = {"status": "not_ready" if failing else "ready", "failing": failing, "checks": body}
    body["outbox"] = results[-1]
    return not failing, body


async def healthz(_request: Request) -> PlainTextResponse:
    """Liveness: the process answers."""
    return PlainTextResponse("ok", headers={"Cache-Control": "no-store"})


async def readyz(_request: Request) -> JSONResponse:
    """Readiness: 200 when every part answers, 503 naming the failing ones."""
    ready, body = await readiness(get_settings())
    return JSONResponse(body, status_code=200 if ready else 503, headers={"Cache-Control": "no-store"})


health_routes = [
    Route(HEALTHZ, healthz, methods=["GET", "HEAD"]),
    Route(READYZ, readyz, methods=["GET"]),
]
