"""The worker's logs, metrics, heartbeat and request references, wired on Celery's signals.

- Logs: Celery's own set-up is replaced by `rxapp.logging_setup` (JSON or text on stdout),
  without the INFO lines of the periodic tasks (beat's "Sending due task", the worker's
  "received" and "succeeded"); their retries, warnings and errors stay, and so do the
  lines of the other tasks (an affaire created, a closure delivered).
- Metrics: retries and failures per task, plus the journey counters of
  `rxapp.observability.tracking`, served by the worker's main process on
  `WORKER_METRICS_PORT` (prometheus_client multiprocess mode: the pool's processes write
  their values to files that the port adds up).
- Heartbeat: a thread of the worker's main process beats every 10 s, whatever beat does.
- Reference: a task published while a request reference is bound carries it in a message
  header; a task about one request (`create_affaire`) or one closure (`deliver_closure`)
  otherwise looks it up. Its log lines, Celery's included (retries, errors), carry it.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
from typing import Any

from celery import Celery, signals

from rxapp import metrics
from rxapp.logging_setup import REFERENCE, configure_logging
from rxapp.observability.heartbeat import HEARTBEAT_INTERVAL, write_heartbeat
from rxapp.observability.tracking import install_tracking
from rxapp.settings import get_settings

logger = logging.getLogger(__name__)
REFERENCE_HEADER = "ameli_reference"
# Tasks about one request (its id) or one affaire (its id): their lines carry the request's reference.
REFERENCE_LOOKUPS = {"backoffice.create_affaire": "request", "backoffice.deliver_closure": "affaire"}
_stop = threading.Event()
_tokens: dict[str, Any] = {}


def _setup_logging(loglevel: int | str | None = None, **_kwargs: Any) -> None:
    """Celery's logging set-up, replaced by ours; its `--loglevel` is kept."""
    from backoffice_worker.celery_app import app

    periodic = {entry["task"] for entry in (app.conf.beat_schedule or {}).values()}
    configure_logging(get_settings(), quiet_tasks=periodic, level=loglevel)


def _beat_forever(worker: str) -> None:
    settings = get_settings()
    failing = False
    while not _stop.is_set():
        try:
            write_heartbeat(settings, worker)
            failing = False
        except Exception as error:
            if not failing:  # once per outage, not every 10 s
                logger.warning("Worker heartbeat not written: %s", type(error).__name__)
            failing = True
        _stop.wait(HEARTBEAT_INTERVAL)


def _guarded(wsgi_app):
    """The metrics WSGI app, answering only as `/metrics` does (allowed addresses or the token)."""
    from rxapp.api.metrics import access_allowed

    def guarded(environ, start_response):
        if not access_allowed(
            settings=get_settings(),
            peer=environ.get("REMOTE_ADDR", ""),
            forwarded_for=environ.get("HTTP_X_FORWARDED_FOR"),
            authorization=environ.get("HTTP_AUTHORIZATION", ""),
        ):
            start_response("403 Forbidden", [("Content-Type", "text/plain; charset=utf-8")])
            return ["Accès refusé.".encode()]
        return wsgi_app(environ, start_response)

    return guarded


def _serve_metrics() -> None:
    """Serve the worker's metrics on `WORKER_METRICS_PORT`, in a thread of the main process."""
    port = get_settings().worker_metrics_port
    if not port:
        return
    from wsgiref.simple_server import make_server

    from prometheus_client import REGISTRY, make_wsgi_app
    from prometheus_client.exposition import ThreadingWSGIServer, _SilentHandler

    try:
        server = make_server(
            "0.0.0.0",
            port,
            _guarded(make_wsgi_app(metrics.process_registry() or REGISTRY)),
            ThreadingWSGIServer,
            handler_class=_SilentHandler,
        )
    except OSError as error:
        logger.warning("Worker metrics not served on port %s: %s", port, type(error).__name__)
        return
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
    logger.info("Worker metrics on port %s", port)


def _worker_ready(sender: Any = None, **_kwargs: Any) -> None:
    worker = getattr(sender, "hostname", None) or f"worker-{os.getpid()}"
    _stop.clear()
    threading.Thread(target=_beat_forever, args=(worker,), name="heartbeat", daemon=True).start()
    _serve_metrics()


def _worker_shutdown(**_kwargs: Any) -> None:
    _stop.set()
    directory = os.environ.get(metrics.MULTIPROC_ENV, "")
    if os.path.basename(directory).startswith("ameli-worker-metrics-"):
        shutil.rmtree(directory, ignore_errors=True)


def _task_name(sender: Any) -> str:
    return str(getattr(sender, "name", None) or "unknown")


def _task_retry(sender: Any = None, **_kwargs: Any) -> None:
    metrics.TASK_RETRIES.labels(task=_task_name(sender)).inc()


def _task_failure(sender: Any = None, **_kwargs: Any) -> None:
    metrics.TASK_FAILURES.labels(task=_task_name(sender)).inc()


def _before_publish(headers: dict | None = None, **_kwargs: Any) -> None:
    reference = REFERENCE.get()
    if reference and headers is not None:
        headers[REFERENCE_HEADER] = reference


def _reference_of(task_name: str, args: Any) -> str | None:
    """The request reference a one-request task works for (one primary-key read), or None."""
    if task_name not in REFERENCE_LOOKUPS or not args or not isinstance(args[0], int):
        return None
    from sqlmodel import col, select

    from rxapp.db import session_scope
    from rxapp.models import Affaire, OverlapRequest

    query = select(OverlapRequest.reference)
    if REFERENCE_LOOKUPS[task_name] == "affaire":
        query = query.join(Affaire, col(Affaire.request_id) == col(OverlapRequest.id)).where(
            col(Affaire.id) == args[0]
        )
    else:
        query = query.where(col(OverlapRequest.id) == args[0])
    with session_scope() as session:
        return session.exec(query).first()


def _task_prerun(task_id: str | None = None, task: Any = None, args: Any = None, **_kwargs: Any) -> None:
    """Bind the request reference for the task's log lines: from the message, or looked up."""
    reference = getattr(getattr(task, "request", None), REFERENCE_HEADER, None)
    if not reference:
        try:
            reference = _reference_of(_task_name(task), args)
        except Exception as error:  # a log field never fails a task
            logger.debug("No reference for %s: %s", _task_name(task), type(error).__name__)
    if reference and task_id:
        _tokens[task_id] = REFERENCE.set(str(reference))


def _task_postrun(task_id: str | None = None, **_kwargs: Any) -> None:
    token = _tokens.pop(task_id, None) if task_id else None
    if token is not None:
        REFERENCE.reset(token)


def connect(app: Celery) -> None:
    """Wire the signals above (once; Celery keeps weak references, so these are module functions)."""
    del app  # the signals are global to Celery; the app is named for the reader
    install_tracking()
    signals.setup_logging.connect(_setup_logging, weak=False)
    signals.worker_ready.connect(_worker_ready, weak=False)
    signals.worker_shutdown.connect(_worker_shutdown, weak=False)
    signals.task_retry.connect(_task_retry, weak=False)
    signals.task_failure.connect(_task_failure, weak=False)
    signals.before_task_publish.connect(_before_publish, weak=False)
    signals.task_prerun.connect(_task_prerun, weak=False)
    signals.task_postrun.connect(_task_postrun, weak=False)
