"""Security events as structured records: failed logins, lockouts, refused accesses.

Each event is one JSON object per line on the `rxapp.security` logger:
`{"time": ..., "level": ..., "event": "login_failed", ...fields}`. The app sends
the logger to a file of its own (`SECURITY_LOG`), and to the console like any
log. Fields never carry a code, a password or a session id; NIRs and logins are
shortened to their first five characters.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

LOGGER: Final = logging.getLogger("rxapp.security")
_EXTRA_KEY: Final = "security_event"

LOGIN_FAILED: Final = "login_failed"
LOGIN_LOCKED: Final = "login_locked"
SESSION_REFUSED: Final = "session_refused"
ACCESS_REFUSED: Final = "access_refused"
INPUT_REFUSED: Final = "input_refused"
FRANCECONNECT_REFUSED: Final = "franceconnect_refused"
EVENT_REFUSED: Final = "event_refused"
CONNECTION_REFUSED: Final = "connection_refused"
CONNECTION_CLOSED: Final = "connection_closed"
TICKET_REFUSED: Final = "ticket_refused"

FieldValue = str | int | float | bool | None | list[int] | list[str]


def masked(identifier: str) -> str:
    """Enough of a NIR or a login to follow an attack, not enough to name the person."""
    return identifier[:5] + "…" if len(identifier) > 5 else identifier


def security_event(event: str, *, level: int = logging.WARNING, **fields: FieldValue) -> None:
    """Record one security event (see the module docstring for its shape)."""
    record = {"event": event, **fields}
    LOGGER.log(level, json.dumps(record, ensure_ascii=False, default=str), extra={_EXTRA_KEY: record})


class JsonLinesFormatter(logging.Formatter):
    """One JSON object per record, with the time in UTC and the level."""

    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, _EXTRA_KEY, None) or {"event": "message", "message": record.getMessage()}
        head = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
        }
        return json.dumps(head | fields, ensure_ascii=False, default=str)


def configure_security_log(path: Path) -> None:
    """Append the security events to `path` as JSON lines (once per process and path)."""
    path = path.resolve()
    for handler in LOGGER.handlers:
        if isinstance(handler, logging.FileHandler) and Path(handler.baseFilename) == path:
            return
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(JsonLinesFormatter())
    LOGGER.addHandler(handler)
    LOGGER.setLevel(logging.INFO)


def read_security_log(path: Path) -> list[dict[str, object]]:
    """The events written so far (for the tests and for an operator's script)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
