"""Queueing worker tasks from the app, always after the database commit.

A broker outage never loses work: the outbox relay queues creations again,
and closures are found again by the periodic closure sweep.
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def _send(task_name: str, *args: int, countdown: float | None = None) -> bool:
    from backoffice_worker.celery_app import app

    try:
        # One connection attempt: kombu would otherwise retry for seconds on every call
        # while the broker is down, and the insured's confirmation would wait that long.
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=0)
            app.send_task(task_name, args=args, countdown=countdown, retry=False, connection=connection)
    except Exception as error:
        logger.warning(
            "Could not queue %s%s (%s); the periodic relay will", task_name, args, type(error).__name__
        )
        return False
    return True


def queue_affaire_creation(request_id: int) -> bool:
    """Ask the worker to create the affaire of a committed request."""
    return _send("backoffice.create_affaire", request_id)


def queue_closure(affaire_id: int) -> bool:
    """Ask the worker for a closed affaire's notification and email."""
    return _send("backoffice.deliver_closure", affaire_id)
