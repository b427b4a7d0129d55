"""Process logs: one JSON object per line on stdout (`LOG_FORMAT=json`), or readable text.

The request reference follows a request through the logs: bind it with
`log_reference(...)` (a contextvar, so it crosses `asyncio.to_thread`) or pass
`extra={"reference": ...}` to one call; the JSON formatter writes it as
`"reference"`. The Celery worker carries it from the publisher to the task in a
message header (`backoffice_worker.celery_app`).

The security log (`rxapp.services.audit`) keeps its own file and format; its
records reach stdout too, like any log.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import sys
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from rxapp.settings import LogFormat, Settings

REFERENCE: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_reference", default=None)
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Attributes every LogRecord has; anything else came through `extra=` and is written out.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}
# Set by our own formatters/handlers, not worth a field of their own.
_SKIPPED = {"security_event", "color_message"}
# Beat announces each periodic task it sends, every few seconds, and httpx each call to the
# Medialog+ API (the task's own lines say the same): warnings and errors only.
QUIET_LOGGERS = ("celery.beat", "httpx", "httpcore")


@contextlib.contextmanager
def log_reference(reference: str | None) -> Iterator[None]:
    """Every log line written inside the block carries `reference`.

    Args:
        reference: The public reference of the request (e.g. DEM-2026-7Q4K9M2X), or None.
    """
    token = REFERENCE.set(reference)
    try:
        yield
    finally:
        REFERENCE.reset(token)


class JsonFormatter(logging.Formatter):
    """time, level, logger, message, the reference when known, then any `extra=` fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        reference = getattr(record, "reference", None) or REFERENCE.get()
        if reference:
            entry["reference"] = reference
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key not in _SKIPPED and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """The usual one-line text, with ` [DEM-…]` when a reference is known."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        reference = getattr(record, "reference", None) or REFERENCE.get()
        return f"{line} [{reference}]" if reference else line


class QuietPeriodicTasks(logging.Filter):
    """Drops the INFO lines of periodic tasks ("received", "succeeded"): they come every few
    seconds. Their retries, warnings and errors stay, and so do every other task's lines."""

    def __init__(self, task_names: Iterable[str]) -> None:
        super().__init__()
        self.task_names = frozenset(task_names)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.INFO or not record.name.startswith("celery.") or not self.task_names:
            return True
        if "retry" in str(record.msg):
            return True
        args = record.args
        values = args.values() if isinstance(args, dict) else (args or ())
        return not any(str(value) in self.task_names for value in values)


def formatter_for(settings: Settings) -> logging.Formatter:
    """The formatter `LOG_FORMAT` asks for."""
    return JsonFormatter() if settings.effective_log_format == LogFormat.JSON else TextFormatter()


def configure_logging(
    settings: Settings, *, stream=None, quiet_tasks: Iterable[str] = (), level: int | str | None = None
) -> logging.Handler:
    """Send the root logger to stdout in the configured format (idempotent).

    Args:
        settings: Read for `LOG_FORMAT` and `LOG_LEVEL`.
        stream: Where to write (stdout by default; tests pass a buffer).
        quiet_tasks: Celery task names whose routine INFO lines are dropped (the periodic ones).
        level: Overrides `LOG_LEVEL` (the worker passes Celery's `--loglevel`).

    Returns:
        The handler installed on the root logger.
    """
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_ameli", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stdout)
    handler._ameli = True  # type: ignore[attr-defined]
    handler.setFormatter(formatter_for(settings))
    handler.addFilter(QuietPeriodicTasks(quiet_tasks))
    root.addHandler(handler)
    root.setLevel(level if isinstance(level, int) else (level or settings.log_level).upper())
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    return handler
