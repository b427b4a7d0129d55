"""Queueing worker tasks from the app, always after the database commit.

A broker outage never loses work: the outbox relay queues creations again,
and closures are found again by the periodic closure sweep.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from typing import Any

logger = logging.getLogger(__name__)

# One broker connection kept per thread (kombu's connections are not thread-safe): a new one for
# every task cost ~8 ms of CPU (a client, a socket, redis-py reading its version), under 1 ms kept.
_kept = threading.local()


def _kept_connection(app: Any) -> Any | None:
    """This thread's connection to `app`'s broker, if it has one (not a forked parent's)."""
    connection = getattr(_kept, "connection", None)
    if connection is not None and _kept.owner != (os.getpid(), app):
        _drop_connection()
        return None
    return connection


def _new_connection(app: Any) -> Any:
    connection = app.connection_for_write()
    try:
        # One connection attempt: kombu would otherwise retry for seconds on every call
        # while the broker is down, and the insured's confirmation would wait that long.
        connection.ensure_connection(max_retries=0)
    except Exception:
        connection.release()
        raise
    _kept.connection, _kept.owner = connection, (os.getpid(), app)
    return connection


def _drop_connection() -> None:
    connection, _kept.connection = getattr(_kept, "connection", None), None
    if connection is not None:
        with contextlib.suppress(Exception):
            connection.release()


def _send(task_name: str, *args: int, countdown: float | None = None) -> bool:
    from backoffice_worker.celery_app import app

    while True:
        kept = _kept_connection(app)
        try:
            # A Redis restarted empty meanwhile loses nothing: Celery sends to a direct queue
            # through the anonymous exchange (routing key = queue name), a push onto the queue
            # that needs none of the bindings kombu declared once on this connection.
            connection = kept or _new_connection(app)
            app.send_task(task_name, args=args, countdown=countdown, retry=False, connection=connection)
            return True
        except Exception as error:
            _drop_connection()
            if kept is None:  # a new connection failed too: the periodic relay's turn
                logger.warning(
                    "Could not queue %s%s (%s); the periodic relay will",
                    task_name,
                    args,
                    type(error).__name__,
                )
                return False
            # The kept connection failed (the broker restarted, or went away): once more on a new one.


def queue_affaire_creation(request_id: int) -> bool:
    """Ask the worker to create the affaire of a committed request."""
    return _send("backoffice.create_affaire", request_id)


def queue_closure(affaire_id: int) -> bool:
    """Ask the worker for a closed affaire's notification and email."""
    return _send("backoffice.deliver_closure", affaire_id)
