"""The Prometheus metrics of the app and the worker, in one registry module.

Only `prometheus_client` is imported here (no reflex, no celery): any layer may
import this module. The business rules in `rxapp.services` still do not call it;
the figures are counted at the edges instead (`rxapp.observability.tracking`
watches committed rows and the security log; the worker's Celery signals count
retries and failures), so a rule never carries a counter.

Each process counts its own figures. In a process with several workers (the web
role under granian, the Celery prefork pool) set `PROMETHEUS_MULTIPROC_DIR`: the
values then live in files that `/metrics` (and the worker's own port) add up.
The worker sets it for itself (see `backoffice_worker.celery_app`).
"""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

LOGIN_SUCCESSES = Counter("ameli_login_successes", "Logins that opened a session", ["kind"])
LOGIN_FAILURES = Counter("ameli_login_failures", "Refused logins (wrong identifier or secret)")
LOGIN_LOCKOUTS = Counter("ameli_login_lockouts", "Logins refused by the throttling", ["scope"])
SECURITY_EVENTS = Counter("ameli_security_events", "Events written to the security log", ["event"])
REQUESTS_SUBMITTED = Counter("ameli_requests_submitted", "Overlap requests confirmed by the insured")
AFFAIRES_CREATED = Counter("ameli_affaires_created", "Medialog+ affaires created")
AFFAIRES_CLOSED = Counter("ameli_affaires_closed", "Medialog+ affaires closed")
NOTIFICATIONS_SENT = Counter("ameli_notifications_sent", "Notifications deposited in an account")
EMAILS_SENT = Counter("ameli_emails_sent", "Avis de dépôt emails sent")
TASK_RETRIES = Counter("ameli_task_retries", "Worker task retries", ["task"])
TASK_FAILURES = Counter("ameli_task_failures", "Worker tasks that failed for good", ["task"])
EVENT_HANDLER_SECONDS = Histogram(
    "ameli_event_handler_seconds",
    "Time to process one Reflex event (state lock, handler, delta)",
    ["handler"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)

EVENTS_REFUSED = Counter(
    "ameli_events_refused", "Websocket events dropped before any state was loaded", ["reason"]
)
SOCKETS_CLOSED = Counter(
    "ameli_sockets_closed", "Websockets closed or refused by the event budgets", ["reason"]
)
SQL_STATEMENTS = Counter(
    "ameli_sql_statements",
    "SQL statements sent, by source: the event handlers (through the gate's in_session) or anything else "
    "(rxapp.db.SQL_SOURCE)",
    ["source"],
)
SECRET_VERIFICATIONS = Counter("ameli_secret_verifications", "argon2 verifications (logins, real or dummy)")

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def process_registry() -> CollectorRegistry | None:
    """The registry to expose: the multiprocess files' sum when enabled, else the default one.

    Returns:
        A fresh registry over `PROMETHEUS_MULTIPROC_DIR`, or None for prometheus_client's
        default registry (this process's values).
    """
    directory = os.environ.get(MULTIPROC_ENV)
    if not directory:
        return None
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=directory)
    return registry


def exposition(*extra_collectors) -> bytes:
    """The Prometheus text format of this process's metrics, plus `extra_collectors`.

    Args:
        *extra_collectors: Collectors computed at scrape time (e.g. the outbox gauges).
    """
    from prometheus_client import REGISTRY

    registry = process_registry()
    if registry is None and not extra_collectors:
        return generate_latest(REGISTRY)
    combined = CollectorRegistry()
    for collector in [registry or REGISTRY, *extra_collectors]:
        combined.register(collector)
    return generate_latest(combined)
