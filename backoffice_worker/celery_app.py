"""The Celery application, configured from `rxapp.settings`.

Broker: `REDIS_URL` when set, otherwise kombu's SQLAlchemy transport on a
SQLite file under `var/` (the embedded default, no server needed).
"""

from __future__ import annotations

from celery import Celery

from rxapp.settings import VAR_DIR, Settings, get_settings


def _transport_options(uses_redis: bool) -> dict[str, float]:
    if uses_redis:
        # A killed worker's unacknowledged tasks come back within a minute.
        return {"visibility_timeout": 60}
    # kombu's SQLAlchemy transport passes its options to create_engine.
    return {}


def _beat_schedule(settings: Settings) -> dict[str, dict]:
    schedule = {
        "detect-overlaps": {"task": "backoffice.detect_overlaps", "schedule": settings.overlap_scan_interval},
        "relay-outbox": {"task": "backoffice.relay_outbox", "schedule": 10.0},
        "sweep-closures": {"task": "backoffice.sweep_closures", "schedule": 30.0},
    }
    if settings.medialog_auto_process_after is not None:
        schedule["auto-process"] = {"task": "backoffice.auto_process", "schedule": 5.0}
    return schedule


def make_celery() -> Celery:
    settings = get_settings()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    app = Celery("backoffice_worker", broker=settings.celery_broker_url, include=["backoffice_worker.tasks"])
    app.conf.update(
        task_default_queue=settings.celery_queue,
        task_serializer="json",
        accept_content=["json"],
        result_serializer="json",
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_time_limit=120,
        task_soft_time_limit=90,
        broker_connection_retry_on_startup=True,
        broker_transport_options=_transport_options(settings.uses_redis),
        broker_connection_timeout=3,
        beat_schedule=_beat_schedule(settings),
        beat_schedule_filename=str(VAR_DIR / "celerybeat-schedule"),
        timezone="Europe/Paris",
        enable_utc=True,
    )
    return app


app = make_celery()
