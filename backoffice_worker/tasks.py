"""Celery tasks: ids in, rows re-read, the work done by `rxapp.services`."""

from __future__ import annotations

from celery.utils.log import get_task_logger

from backoffice_worker.celery_app import app
from rxapp.db import session_scope
from rxapp.services.detection import detect_overlaps_batch

logger = get_task_logger(__name__)

DETECTION_BATCH_SIZE = 500


@app.task(name="backoffice.detect_overlaps")
def detect_overlaps() -> dict[str, int]:
    """Scan contracts for overlaps and block their NOEMIE links.

    Each batch of beneficiaries is its own short transaction, so the scan
    never holds locks for long; it is idempotent, so overlapping runs are safe.
    """
    after, totals = 0, {"scanned": 0, "blocked": 0, "flagged": 0}
    while True:
        with session_scope() as session:
            batch = detect_overlaps_batch(
                session=session, after_beneficiary_id=after, limit=DETECTION_BATCH_SIZE
            )
        totals["scanned"] += batch.beneficiaries_scanned
        totals["blocked"] += batch.links_blocked
        totals["flagged"] += batch.accounts_flagged
        if batch.next_after is None:
            break
        after = batch.next_after
    if totals["blocked"] or totals["flagged"]:
        logger.info("Overlap scan: %s", totals)
    return totals
