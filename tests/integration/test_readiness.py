"""Readiness names the failing parts, with no secret in its body."""

from __future__ import annotations

import asyncio
import json
import os

from rxapp.api.health import readiness
from rxapp.observability.heartbeat import write_heartbeat
from rxapp.settings import Settings
from tests.support.processes import free_port
from tests.support.worker import broker_url_for_tests, require_redis


def _settings(**values) -> Settings:
    return Settings.model_construct(**{**Settings().model_dump(), **values})


def test_an_unreachable_redis_and_no_worker_make_the_instance_not_ready() -> None:
    settings = _settings(
        redis_url=f"redis://:Tr3s-S3cret@127.0.0.1:{free_port()}/0", celery_queue=f"nobody-{os.getpid()}"
    )
    ready, body = asyncio.run(readiness(settings))
    assert not ready
    assert body["status"] == "not_ready"
    assert body["failing"] == ["redis", "broker", "worker"]
    assert body["checks"]["database"]["ok"] is True
    assert "Tr3s-S3cret" not in json.dumps(body)


def test_a_recent_heartbeat_makes_it_ready_and_an_old_one_does_not() -> None:
    require_redis(broker_url_for_tests())
    settings = _settings(redis_url=broker_url_for_tests(), celery_queue=f"beat-{os.getpid()}")
    import time

    write_heartbeat(settings, "worker-a@host", now=time.time() - 120)
    ready, body = asyncio.run(readiness(settings))
    assert not ready and body["failing"] == ["worker"]
    write_heartbeat(settings, "worker-b@host")
    ready, body = asyncio.run(readiness(settings))
    assert ready, body
    assert body["checks"]["worker"]["heartbeat_age_seconds"] < 5


def test_without_redis_the_heartbeat_is_a_file(tmp_path, monkeypatch) -> None:
    from rxapp.observability import heartbeat

    monkeypatch.setattr(heartbeat, "VAR_DIR", tmp_path)
    settings = _settings(redis_url=None, celery_queue="embedded")
    assert heartbeat.latest_heartbeat_age(settings) is None
    write_heartbeat(settings, "worker-3000@host", now=1000.0)
    write_heartbeat(settings, "worker-3001@host", now=1030.0)
    assert heartbeat.latest_heartbeat_age(settings, now=1040.0) == 10.0
