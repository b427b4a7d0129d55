"""Counting and logging the journey of a request from the rows it commits.

The business rules stay free of counters: a SQLAlchemy session hook sees, at each
commit, the rows that tell the story (a session opened, a request recorded, its
affaire created, closed, the notification deposited, the email sent), counts them
in `rxapp.metrics` and writes one log line each, with the request's reference.
Failed logins and lockouts are counted from the security log's own records.
Installed once per process, by the app and by the worker.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key
from sqlmodel import col, select

from rxapp import metrics
from rxapp.models import Affaire, AffaireStatus, Notification, OverlapRequest, WebSession
from rxapp.services.audit import LOGGER as SECURITY_LOGGER
from rxapp.services.audit import LOGIN_FAILED, LOGIN_LOCKED
from rxapp.services.security import VERIFICATION_LISTENERS

logger = logging.getLogger("rxapp.journey")
_PENDING = "ameli_journey_pending"
_installed = False


def _changed_to(obj: Any, attribute: str, predicate) -> bool:
    history = inspect(obj).attrs[attribute].history
    return (
        bool(history.added) and predicate(history.added[0]) and not any(predicate(v) for v in history.deleted)
    )


def _request_reference(session: Session, request_id: int | None) -> str | None:
    if request_id is None:
        return None
    request = session.identity_map.get(identity_key(OverlapRequest, request_id))
    if request is not None:
        return request.reference
    # Inside the flush's transaction: one primary-key read on the session's connection.
    return (
        session.connection()
        .execute(select(col(OverlapRequest.reference)).where(col(OverlapRequest.id) == request_id))
        .scalar_one_or_none()
    )


def _after_flush(session: Session, _context) -> None:
    pending: list[tuple[str, dict[str, Any], Any]] = session.info.setdefault(_PENDING, [])
    for obj in session.new:
        if isinstance(obj, WebSession):
            pending.append(("login", {"kind": str(obj.kind.value).lower()}, obj))
        elif isinstance(obj, OverlapRequest):
            pending.append(("request", {"reference": obj.reference}, obj))
        elif isinstance(obj, Affaire):
            pending.append(
                (
                    "affaire",
                    {"affaire": obj.reference, "reference": _request_reference(session, obj.request_id)},
                    obj,
                )
            )
        elif isinstance(obj, Notification):
            pending.append(("notification", {}, obj))
    for obj in session.dirty:
        if not isinstance(obj, Affaire):
            continue
        fields: dict[str, str | None] = {"affaire": obj.reference}
        if _changed_to(obj, "status", lambda value: value == AffaireStatus.CLOSED):
            fields["reference"] = _request_reference(session, obj.request_id)
            pending.append(("closed", fields, obj))
        if _changed_to(obj, "avis_sent_at", lambda value: value is not None):
            fields["reference"] = fields.get("reference") or _request_reference(session, obj.request_id)
            pending.append(("email", fields, obj))


def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: counted when the whole transaction commits
    for kind, fields, obj in session.info.pop(_PENDING, []):
        if not inspect(obj).persistent:
            continue  # flushed in a savepoint that was rolled back (a duplicate affaire, say)
        extra = {key: value for key, value in fields.items() if value}
        if kind == "login":
            metrics.LOGIN_SUCCESSES.labels(kind=fields["kind"]).inc()
        elif kind == "request":
            metrics.REQUESTS_SUBMITTED.inc()
            logger.info("Request recorded", extra=extra)
        elif kind == "affaire":
            metrics.AFFAIRES_CREATED.inc()
            logger.info("Affaire %s created", fields["affaire"], extra=extra)
        elif kind == "closed":
            metrics.AFFAIRES_CLOSED.inc()
            logger.info("Affaire %s closed", fields["affaire"], extra=extra)
        elif kind == "notification":
            metrics.NOTIFICATIONS_SENT.inc()
        elif kind == "email":
            metrics.EMAILS_SENT.inc()
            logger.info("Avis de dépôt sent for affaire %s", fields["affaire"], extra=extra)


def _after_rollback(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint's rows are dropped at commit (no longer persistent)
    session.info.pop(_PENDING, None)


class SecurityEventCounter(logging.Handler):
    """Counts the security log's records: every event, and the failed and locked logins."""

    def emit(self, record: logging.LogRecord) -> None:
        fields = getattr(record, "security_event", None) or {}
        name = str(fields.get("event", "unknown"))
        metrics.SECURITY_EVENTS.labels(event=name).inc()
        if name == LOGIN_FAILED:
            metrics.LOGIN_FAILURES.inc()
        elif name == LOGIN_LOCKED:
            metrics.LOGIN_LOCKOUTS.labels(scope=str(fields.get("scope", "subject"))).inc()


def install_tracking() -> None:
    """Listen to every ORM session and to the security log (once per process)."""
    global _installed
    if _installed:
        return
    _installed = True
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_rollback", _after_rollback)
    SECURITY_LOGGER.addHandler(SecurityEventCounter())
    VERIFICATION_LISTENERS.append(metrics.SECRET_VERIFICATIONS.inc)
    if SECURITY_LOGGER.level == logging.NOTSET or SECURITY_LOGGER.level > logging.INFO:
        SECURITY_LOGGER.setLevel(logging.INFO)
