"""The worker's heartbeat: written every few seconds by each worker, read by `/readyz`.

With Redis: one hash per queue (`ameli:worker-heartbeat:<queue>`), a field per
worker host name holding the Unix time of its last beat. Without Redis (the
embedded default, app and worker on one machine): a small file under `var/`.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from rxapp.settings import VAR_DIR, Settings

HEARTBEAT_INTERVAL = 10.0
HEARTBEAT_MAX_AGE = 60.0
REDIS_TIMEOUT = 1.0


def _redis_key(settings: Settings) -> str:
    return f"ameli:worker-heartbeat:{settings.celery_queue}"


def _file(settings: Settings) -> Path:
    return VAR_DIR / f"worker-heartbeat-{settings.celery_queue}.json"


def _redis(settings: Settings):
    import redis

    return redis.Redis.from_url(
        settings.celery_broker_url, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT
    )


def write_heartbeat(settings: Settings, worker: str, *, now: float | None = None) -> None:
    """Record that `worker` is alive now."""
    now = time.time() if now is None else now
    if settings.uses_redis:
        client = _redis(settings)
        try:
            client.hset(_redis_key(settings), worker, repr(now))
            client.expire(_redis_key(settings), int(HEARTBEAT_MAX_AGE * 10))
        finally:
            client.close()
        return
    path = _file(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    beats = _read_file(path)
    beats[worker] = now
    temporary = path.with_suffix(f".{worker.replace('/', '_')}.tmp")
    temporary.write_text(json.dumps(beats))
    temporary.replace(path)


def _read_file(path: Path) -> dict[str, float]:
    try:
        return {str(k): float(v) for k, v in json.loads(path.read_text()).items()}
    except (OSError, ValueError, AttributeError):
        return {}


def latest_heartbeat_age(settings: Settings, *, now: float | None = None) -> float | None:
    """Seconds since the most recent beat of any worker of this queue, or None if none ever beat."""
    now = time.time() if now is None else now
    if settings.uses_redis:
        client = _redis(settings)
        try:
            beats = [float(value) for value in client.hvals(_redis_key(settings))]
        finally:
            client.close()
    else:
        beats = list(_read_file(_file(settings)).values())
    if not beats:
        return None
    return max(0.0, now - max(beats))
