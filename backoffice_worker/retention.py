"""The retention purge, run by beat every hour (`backoffice.purge_expired`).

Kept apart from `tasks.py`: it calls one service function and needs no retry
policy (the next run does what a failed one left).
"""

from __future__ import annotations

from celery.utils.log import get_task_logger

from backoffice_worker.celery_app import app
from rxapp.db import session_scope
from rxapp.services.auth import purge_expired

logger = get_task_logger(__name__)

PURGE_EVERY_SECONDS = 3600.0


@app.task(name="backoffice.purge_expired", acks_late=False)  # periodic: see tasks.PERIODIC
def purge_expired_sessions_and_failures() -> dict[str, int]:
    """Delete the sessions and login failures past their retention period."""
    with session_scope() as session:
        report = purge_expired(session=session)
    if report.sessions or report.login_failures:
        logger.info("Retention purge: %s sessions, %s login failures", report.sessions, report.login_failures)
    return {"sessions": report.sessions, "login_failures": report.login_failures}
