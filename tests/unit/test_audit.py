"""Security events are JSON lines with no secret in them."""

from __future__ import annotations

import logging
from pathlib import Path

from rxapp.services.audit import (
    ACCESS_REFUSED,
    LOGGER,
    configure_security_log,
    masked,
    read_security_log,
    security_event,
)


def test_events_are_json_lines_with_time_level_and_fields(tmp_path: Path) -> None:
    path = tmp_path / "log" / "security.jsonl"
    configure_security_log(path)
    configure_security_log(path)  # twice: still one handler, one line per event
    try:
        security_event(ACCESS_REFUSED, action="SelectionState.choose", reason="contract_outside_overlap")
        security_event("login_failed", level=logging.INFO, subject=masked("1741171270102"), client_ip=None)
    finally:
        for handler in [h for h in LOGGER.handlers if isinstance(h, logging.FileHandler)]:
            LOGGER.removeHandler(handler)
            handler.close()
    events = read_security_log(path)
    assert [e["event"] for e in events] == ["access_refused", "login_failed"]
    assert events[0]["level"] == "warning" and events[1]["level"] == "info"
    assert events[0]["reason"] == "contract_outside_overlap"
    assert events[1]["subject"] == "17411…"
    assert events[0]["time"].endswith("+00:00")


def test_masked_keeps_five_characters() -> None:
    assert masked("agent.ain") == "agent…"
    assert masked("abc") == "abc"
