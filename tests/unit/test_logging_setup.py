"""Process logs: JSON lines with the request reference, and no periodic-task noise."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator

import pytest

from rxapp.logging_setup import QUIET_LOGGERS, configure_logging, log_reference
from rxapp.settings import LogFormat, Settings


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    buffer = io.StringIO()
    root = logging.getLogger()
    level = root.level
    handler = configure_logging(
        Settings.model_construct(**{**Settings().model_dump(), "log_format": LogFormat.JSON}),
        stream=buffer,
        quiet_tasks={"backoffice.relay_outbox"},
    )
    try:
        yield buffer
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def _lines(buffer: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def test_one_json_object_per_line_with_time_level_logger_message(captured: io.StringIO) -> None:
    logging.getLogger("rxapp.test").warning("Bonjour %s", "Lucie", extra={"affaire": "AFF-1"})
    [line] = _lines(captured)
    assert line["level"] == "warning" and line["logger"] == "rxapp.test"
    assert line["message"] == "Bonjour Lucie" and line["affaire"] == "AFF-1"
    assert line["time"].endswith("+00:00")
    assert "reference" not in line


def test_the_reference_follows_the_context_even_into_threads(captured: io.StringIO) -> None:
    async def confirm() -> None:
        with log_reference("DEM-2026-7Q4K9M2X"):
            await asyncio.to_thread(logging.getLogger("rxapp.queue").info, "queued")
        logging.getLogger("rxapp.queue").info("after")

    asyncio.run(confirm())
    first, after = _lines(captured)
    assert first["reference"] == "DEM-2026-7Q4K9M2X"
    assert "reference" not in after


def test_an_exception_is_one_line_too(captured: io.StringIO) -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("rxapp.test").exception("failed")
    [line] = _lines(captured)
    assert "ValueError: boom" in line["exception"]


def test_periodic_tasks_routine_lines_are_silenced_not_their_errors(captured: io.StringIO) -> None:
    for name in QUIET_LOGGERS:
        logging.getLogger(name).info("Scheduler: Sending due task relay-outbox")
    strategy, trace = logging.getLogger("celery.worker.strategy"), logging.getLogger("celery.app.trace")
    for logger in (strategy, trace):
        logger.setLevel(logging.INFO)
    periodic = {"name": "backoffice.relay_outbox", "id": "1", "runtime": 0.1, "return_value": 0}
    strategy.info("Task %(name)s[%(id)s] received", periodic)
    trace.info("Task %(name)s[%(id)s] succeeded in %(runtime)ss: %(return_value)s", periodic)
    trace.info("Task %(name)s[%(id)s] retry: %(exc)s", {**periodic, "exc": "OperationalError"})
    trace.error("Task %(name)s[%(id)s] raised unexpected: %(exc)s", {**periodic, "exc": "boom"})
    other = {"name": "backoffice.create_affaire", "id": "2", "runtime": 0.1, "return_value": "{}"}
    trace.info("Task %(name)s[%(id)s] succeeded in %(runtime)ss: %(return_value)s", other)
    messages = [line["message"] for line in _lines(captured)]
    assert messages == [
        "Task backoffice.relay_outbox[1] retry: OperationalError",
        "Task backoffice.relay_outbox[1] raised unexpected: boom",
        "Task backoffice.create_affaire[2] succeeded in 0.1s: {}",
    ]
