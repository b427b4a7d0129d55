"""The Celery application, configured from `rxapp.settings`.

Broker: `REDIS_URL` when set, otherwise kombu's SQLAlchemy transport on a
SQLite file under `var/` (the embedded default, no server needed).
"""

from __future__ import annotations

import functools
import logging
import os
import sys
import tempfile

# The prefork pool's processes count their tasks in files that the worker's metrics port adds
# up (prometheus_client's multiprocess mode): chosen before prometheus_client is imported, in
# any process started as a worker (`celery ... worker`, or a command line's `worker` role).
if "worker" in sys.argv[1:]:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="ameli-worker-metrics-")

from celery import Celery
from celery.worker.consumer import Consumer
from kombu.transport import redis as kombu_redis

from rxapp.settings import VAR_DIR, Settings, get_settings

logger = logging.getLogger(__name__)


class _RedisQoS(kombu_redis.QoS):
    """kombu's Redis QoS, tolerating a channel whose connection is gone.

    When Redis restarts, the worker reconnects on a new channel, but the old one is
    still asked to acknowledge the tasks that were running, and to give back the
    unacknowledged ones: kombu then fails with an AttributeError that stops the worker
    for good. Those tasks stay in Redis's unacked set, restored after the visibility
    timeout, or were lost with Redis and are queued again by the outbox relay and the
    closure sweep; every task is idempotent.
    """

    def _unless_connection_gone(self, action: str, call, *args):
        try:
            return call(*args)
        except AttributeError:
            if getattr(self.channel.connection, "client", None) is not None:
                raise
            logger.warning("Broker connection gone: %s skipped, the task will be delivered again", action)
            return None

    def ack(self, delivery_tag):
        return self._unless_connection_gone("ack", super().ack, delivery_tag)

    def reject(self, delivery_tag, requeue=False):
        return self._unless_connection_gone("reject", super().reject, delivery_tag, requeue)

    def restore_unacked_once(self, stderr=None):
        return self._unless_connection_gone("restore", super().restore_unacked_once, stderr)


class _RedisChannel(kombu_redis.Channel):
    QoS = _RedisQoS


class RedisTransport(kombu_redis.Transport):
    """kombu's Redis transport, surviving a Redis restart (see `_RedisQoS`)."""

    Channel = _RedisChannel


# Seconds between two sweeps of the broker's unacknowledged tasks by each worker (kombu's
# `restore_visible`: one ZRANGE on the unacked index, under a Redis mutex).
UNACKED_RESTORE_INTERVAL = 1


# Seconds between the worker's attempts to reach a broker that went away.
RECONNECT_INTERVAL_MAX = 2


class PromptConsumer(Consumer):
    """Celery's consumer, trying the broker again every second or two while it is away: kombu's
    default waits 2, 4, 6 ... up to 30 s between attempts, so after a long outage the worker
    came back up to 30 s after the broker. An attempt is one TCP connection."""

    def ensure_connected(self, conn):
        conn.ensure_connection = functools.partial(
            conn.ensure_connection, interval_start=1, interval_step=1, interval_max=RECONNECT_INTERVAL_MAX
        )
        return super().ensure_connected(conn)


def _transport_options(settings: Settings) -> dict[str, float]:
    if settings.uses_redis:
        # A killed worker's unacknowledged tasks are handed out again once they were delivered
        # `visibility_timeout` ago. Another worker finds them: kombu sweeps when a worker starts
        # consuming, then every `unacked_restore_interval` s but scans Redis only every
        # `unacked_restore_throttle`-th time (10 s x 10 by default: up to 100 s late); here every
        # second. Recovery after a worker dies: the visibility timeout plus at most a second.
        return {
            "visibility_timeout": settings.broker_visibility_timeout,
            "unacked_restore_interval": UNACKED_RESTORE_INTERVAL,
            "unacked_restore_throttle": 1,
        }
    # kombu's SQLAlchemy transport passes its options to create_engine.
    return {}


def _beat_schedule(settings: Settings) -> dict[str, dict]:
    schedule = {
        "detect-overlaps": {"task": "backoffice.detect_overlaps", "schedule": settings.overlap_scan_interval},
        # Every 2 s: a queueing refused by the broker, or a broker that lost its queues, is
        # relayed at the next run (see backoffice_worker/tasks.py, `relay_outbox`).
        "relay-outbox": {"task": "backoffice.relay_outbox", "schedule": 2.0},
        "sweep-closures": {"task": "backoffice.sweep_closures", "schedule": 30.0},
        "sweep-lost-closures": {"task": "backoffice.sweep_lost_closures", "schedule": 2.0},
        # Retention (backoffice_worker/retention.py): expired sessions and old login failures.
        "purge-expired": {"task": "backoffice.purge_expired", "schedule": 3600.0},
    }
    if settings.medialog_auto_process_after is not None:
        # Demo only (refused in production): the stand-in agent closes affaires within a second.
        schedule["auto-process"] = {"task": "backoffice.auto_process", "schedule": 1.0}
    return schedule


def make_celery() -> Celery:
    settings = get_settings()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    app = Celery(
        "backoffice_worker",
        broker=settings.celery_broker_url,
        include=["backoffice_worker.tasks", "backoffice_worker.retention"],
    )
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
        broker_transport_options=_transport_options(settings),
        # redis:// only: rediss:// keeps kombu's own choice of transport (and its TLS).
        broker_transport=f"{__name__}:RedisTransport"
        if settings.celery_broker_url.startswith("redis://")
        else None,
        broker_connection_timeout=3,
        worker_consumer=f"{__name__}:PromptConsumer",
        beat_schedule=_beat_schedule(settings),
        beat_schedule_filename=str(VAR_DIR / "celerybeat-schedule"),
        timezone="Europe/Paris",
        enable_utc=True,
    )
    return app


app = make_celery()

from backoffice_worker import observability  # noqa: E402

observability.connect(app)
