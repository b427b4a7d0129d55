"""Celery tasks: ids in, rows re-read, the work done by `rxapp.services`.

Retry policies live here and only here.
"""

from __future__ import annotations

import os
from datetime import timedelta

import httpx
import redis
from celery.utils.log import get_task_logger

from backoffice_worker.celery_app import app
from rxapp.db import session_scope
from rxapp.models import utcnow
from rxapp.services import medialog, notification_signal, outbox
from rxapp.services.detection import DetectionBatch, detect_overlaps_batch, scan_in_batches
from rxapp.services.mail import MailDeliveryError, avis_de_depot, deliver
from rxapp.settings import MIN_BROKER_VISIBILITY_TIMEOUT, VAR_DIR, get_settings

logger = get_task_logger(__name__)

DETECTION_BATCH_SIZE = 500
# The relay queues again a request still without its affaire once it was queued this long ago
# while tasks wait in the broker's queue (they may be that backlog)...
OUTBOX_STALE_AFTER = timedelta(seconds=30)
# ...and this long ago when the queue is empty: the workers keep up, so the request's task was
# lost (a worker killed between taking the message and registering it as unacknowledged, two
# steps in kombu's Redis transport) or is retrying (a second copy of a lot is harmless).
OUTBOX_IDLE_STALE_AFTER = timedelta(seconds=8)
CLOSURE_STALE_AFTER = timedelta(seconds=60)
# One Medialog+ call: 2 s to connect, then 5 s for each read or write (our API answers a lot of
# 50 in well under a second).
HTTP_TIMEOUT = httpx.Timeout(5.0, connect=2.0)
# Each SMTP operation of the avis de dépôt.
SMTP_TIMEOUT = 5.0
# The longest wait before a retry (backoff with full jitter: 0 to this many seconds). Short, so
# that work resumes within seconds of the end of an outage; max_retries then covers a minute or
# more of outage, and beyond it the outbox relay and the closure sweep queue the work again.
RETRY_WAIT_MAX = 3
# How long a worker holds one delivery of an acks_late task before acknowledging it: a retry
# waits in the worker, its message unacknowledged (Celery's countdown), up to RETRY_WAIT_MAX, then
# runs one call (a hung Medialog+ call gives up after connect + read). It must stay within the
# broker's visibility timeout, or a slow task would be handed to a second worker; were it to
# happen (an SMTP server answering every step slowly), the second delivery is harmless: the
# creation is idempotent per request, the closure sends under the affaire's lock.
TASK_HOLD_MAX = RETRY_WAIT_MAX + 2.0 + 5.0
assert TASK_HOLD_MAX <= MIN_BROKER_VISIBILITY_TIMEOUT
# The periodic tasks are acknowledged on receipt (acks_late off): a scan may run longer than the
# visibility timeout, and if a worker dies during one, beat sends the next run anyway.
PERIODIC: dict = {"acks_late": False}
# A key in the broker's Redis that only the relay writes: when it is missing, Redis lost its data
# (restarted empty), and with it the queued tasks; the relay then queues every pending request.
BROKER_MARK_KEY = "ameli:outbox-relay:broker-mark"
# kombu's Redis transport keeps a queue as one list per priority step: "name", "name\x06\x163", ...
PRIORITY_LISTS = ("", "\x06\x163", "\x06\x166", "\x06\x169")
# Requests per create_affaires task: one HTTP call and one transaction for the lot.
RELAY_BATCH_SIZE = 50
RELAY_MAX_PAGES = 40

_clients: dict[int, httpx.Client] = {}
_redis_clients: dict[int, redis.Redis] = {}


class MedialogUnavailable(Exception):
    """A network error or a 5xx from the Medialog+ API: worth retrying."""


@app.task(name="backoffice.detect_overlaps", **PERIODIC)
def detect_overlaps() -> dict[str, int]:
    """Scan contracts for overlaps and block their NOEMIE links.

    Each batch of beneficiaries is its own short transaction, so the scan
    never holds locks for long; it is idempotent, so overlapping runs are safe.
    """

    def run_batch(after: int) -> DetectionBatch:
        with session_scope() as session:
            return detect_overlaps_batch(
                session=session, after_beneficiary_id=after, limit=DETECTION_BATCH_SIZE
            )

    scan = scan_in_batches(run_batch)
    totals = {
        "scanned": scan.beneficiaries_scanned,
        "blocked": scan.links_blocked,
        "flagged": scan.accounts_flagged,
    }
    if totals["blocked"] or totals["flagged"]:
        logger.info("Overlap scan: %s", totals)
    return totals


def _client() -> httpx.Client:
    """One HTTP client per worker process (after the fork), so connections are reused."""
    client = _clients.get(os.getpid())
    if client is None:
        client = _clients[os.getpid()] = httpx.Client(timeout=HTTP_TIMEOUT)
    return client


def _post(path: str, payload: dict) -> httpx.Response:
    """POST to the Medialog+ API; network errors and 5xx raise MedialogUnavailable."""
    settings = get_settings()
    try:
        response = _client().post(
            f"{settings.medialog_url}{path}",
            json=payload,
            headers={"Authorization": f"Bearer {settings.medialog_api_token}"},
        )
    except httpx.TransportError as error:
        raise MedialogUnavailable(f"{type(error).__name__}: {error}") from error
    if response.status_code >= 500:
        raise MedialogUnavailable(f"HTTP {response.status_code}")
    return response


# Network errors and 5xx from the Medialog+ API: retried with backoff and jitter; a 4xx is final.
MEDIALOG_RETRIES: dict = {
    "autoretry_for": (MedialogUnavailable,),
    "retry_backoff": 1,
    "retry_backoff_max": RETRY_WAIT_MAX,
    "retry_jitter": True,
    "max_retries": 40,
}


@app.task(
    name="backoffice.create_affaire",
    **MEDIALOG_RETRIES,
)
def create_affaire(request_id: int) -> dict:
    """Create the request's affaire through the Medialog+ API (idempotent by request id).

    Network errors and 5xx are retried with backoff and jitter; a 4xx is final
    (logged; the outbox keeps the row for a human to look at).
    """
    response = _post("/affaires", {"request_id": request_id})
    if response.status_code >= 400:
        logger.error(
            "Medialog+ refused request %s: HTTP %s %s", request_id, response.status_code, response.text[:200]
        )
        return {"request_id": request_id, "status": response.status_code}
    return response.json()


@app.task(
    name="backoffice.create_affaires",
    **MEDIALOG_RETRIES,
)
def create_affaires(request_ids: list[int]) -> dict:
    """Create the affaires of a lot of requests in one Medialog+ call (idempotent per request).

    Same retry policy as `create_affaire`: the whole lot is sent again, and the
    requests already done are answered with their existing affaire.
    """
    response = _post("/affaires/lots", {"request_ids": request_ids})
    if response.status_code >= 400:
        logger.error(
            "Medialog+ refused a lot of %d request(s): HTTP %s %s",
            len(request_ids),
            response.status_code,
            response.text[:200],
        )
        return {"requests": len(request_ids), "status": response.status_code}
    answer = response.json()
    if answer["inconnues"]:
        logger.error("Medialog+ does not know request(s) %s", answer["inconnues"])
    created = sum(1 for item in answer["affaires"] if item["creee"])
    return {"requests": len(request_ids), "created": created, "unknown": len(answer["inconnues"])}


def _broker_client() -> redis.Redis:
    settings = get_settings()
    client = _redis_clients.get(os.getpid())
    if client is None:
        client = _redis_clients[os.getpid()] = redis.Redis.from_url(
            settings.celery_broker_url, socket_connect_timeout=2, socket_timeout=2
        )
    return client


def _queue_is_empty() -> bool:
    """No task waits in the broker's queue (any priority step); always False on the embedded broker."""
    settings = get_settings()
    if not settings.uses_redis:
        return False
    pipe = _broker_client().pipeline(transaction=False)
    for suffix in PRIORITY_LISTS:
        pipe.llen(f"{settings.celery_queue}{suffix}")
    return not any(pipe.execute())


def _relay_threshold() -> timedelta:
    """How old a pending request must be for the relay to queue it again (see above).

    Everything pending when the broker's Redis no longer holds the relay's mark (restarted
    empty, or the first run ever; the mark is set again at once, so one run sees it).
    """
    settings = get_settings()
    if not settings.uses_redis:
        return OUTBOX_STALE_AFTER  # the embedded broker is a file: it keeps its queue
    if _broker_client().set(BROKER_MARK_KEY, "1", nx=True):
        return timedelta(0)
    return OUTBOX_IDLE_STALE_AFTER if _queue_is_empty() else OUTBOX_STALE_AFTER


@app.task(name="backoffice.relay_outbox", **PERIODIC)
def relay_outbox() -> int:
    """Queue again, in lots, the requests whose affaire is still missing (broker outage, lost task).

    A row is relayed once it was queued OUTBOX_STALE_AFTER ago (OUTBOX_IDLE_STALE_AFTER when
    no task waits in the queue), or at once if the broker lost its data (every pending row:
    those tasks, and the queueings refused while it was down, were lost with it; the ones
    still running are delivered twice, harmlessly).
    A backlog is relayed in one run, page after page (each page its own short
    transaction), up to RELAY_MAX_PAGES pages.
    """
    older_than = _relay_threshold()
    if older_than == timedelta(0):
        logger.warning("The broker lost its queues (restarted empty): every pending task is queued again")
        sweep_closures_now()
    now = utcnow()  # one instant for every page: a row relayed by this run is not picked again
    relayed = 0
    for _ in range(RELAY_MAX_PAGES):
        with session_scope() as session:
            request_ids = outbox.stale_outbox(session=session, older_than=older_than, now=now)
        for start in range(0, len(request_ids), RELAY_BATCH_SIZE):
            create_affaires.delay(request_ids[start : start + RELAY_BATCH_SIZE])
        relayed += len(request_ids)
        if len(request_ids) < outbox.STALE_PAGE:
            break
    if relayed:
        logger.info("Outbox relay queued %d request(s) again", relayed)
    return relayed


@app.task(
    name="backoffice.deliver_closure",
    autoretry_for=(MailDeliveryError,),
    retry_backoff=1,
    retry_backoff_max=RETRY_WAIT_MAX,
    retry_jitter=True,
    max_retries=60,
)
def deliver_closure(affaire_id: int) -> dict[str, bool]:
    """A closed affaire: the account notification and the processed request, then
    the "avis de dépôt" email. Each side effect happens once; an SMTP refusal is retried."""
    with session_scope() as session:
        notified = medialog.apply_closure(session=session, affaire_id=affaire_id)
        account_id = medialog.closure_account(session=session, affaire_id=affaire_id) if notified else None
    if account_id is not None:  # committed: the open dashboards of the account reload (rxapp/live_updates.py)
        notification_signal.announce(get_settings(), account_id)
    # One transaction holds the affaire's lock from the check to the mark: two
    # deliveries of one closure (a retry redelivered, the sweep) send one email.
    with session_scope() as session:
        recipient = medialog.closure_recipient(session=session, affaire_id=affaire_id)
        if recipient is None:
            return {"notified": notified, "emailed": False}
        settings = get_settings()
        message = avis_de_depot(
            to=recipient.email,
            first_name=recipient.first_name,
            last_name=recipient.last_name,
            sender=settings.mail_from,
            account_url=settings.base_url,
        )
        deliver(message, smtp_url=settings.smtp_url, mail_dir=VAR_DIR / "mail", timeout=SMTP_TIMEOUT)
        medialog.mark_avis_sent(session=session, affaire_id=affaire_id)
    return {"notified": notified, "emailed": True}


@app.task(name="backoffice.sweep_closures", **PERIODIC)
def sweep_closures() -> int:
    """Queue again the closures whose notification or email is still missing."""
    return sweep_closures_now(older_than=CLOSURE_STALE_AFTER)


@app.task(name="backoffice.sweep_lost_closures", **PERIODIC)
def sweep_lost_closures() -> int:
    """Queue again, OUTBOX_IDLE_STALE_AFTER after the closing, the closures never started (not
    notified) while the queue is empty: their task was lost (see OUTBOX_IDLE_STALE_AFTER). One
    notified and retrying its email (an SMTP outage) is left to its retries and `sweep_closures`."""
    if not _queue_is_empty():
        return 0
    return sweep_closures_now(older_than=OUTBOX_IDLE_STALE_AFTER, unstarted_only=True)


def sweep_closures_now(older_than: timedelta = timedelta(0), *, unstarted_only: bool = False) -> int:
    """Queue the closures closed `older_than` ago whose notification or email is still missing."""
    with session_scope() as session:
        affaire_ids = outbox.closures_to_deliver(
            session=session, older_than=older_than, unstarted_only=unstarted_only
        )
    for affaire_id in affaire_ids:
        deliver_closure.delay(affaire_id)
    return len(affaire_ids)


@app.task(name="backoffice.auto_process", **PERIODIC)
def auto_process() -> int:
    """With MEDIALOG_AUTO_PROCESS_AFTER set, play the agent for simple affaires old enough."""
    delay = get_settings().medialog_auto_process_after
    if delay is None:
        return 0
    with session_scope() as session:
        affaire_ids = outbox.affaires_to_auto_process(session=session, delay=timedelta(seconds=delay))
    processed = 0
    for affaire_id in affaire_ids:
        try:
            with session_scope() as session:
                if not outbox.claim_for_auto_process(session=session, affaire_id=affaire_id):
                    continue  # another run has it
                medialog.take_charge(session=session, agent_id=None, affaire_id=affaire_id)
                medialog.update_progres(session=session, agent_id=None, affaire_id=affaire_id)
                medialog.close_affaire(session=session, agent_id=None, affaire_id=affaire_id)
        except medialog.AffaireRefused:
            continue  # an agent closed it meanwhile
        deliver_closure.delay(affaire_id)
        processed += 1
    return processed
