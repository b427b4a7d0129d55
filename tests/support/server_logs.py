"""The logs of the servers under test (the app, its worker, the chaos worker and API), watched
for errors: a test fails when one of them logged an ERROR or a traceback while it ran.

The processes started by tests/support write their output to a log file and register it here
(`watch`). The autouse fixture of tests/conftest.py notes each log's size before a test and
reads what was added after it. A test that provokes server errors on purpose says so with
`@pytest.mark.server_errors_expected(reason)`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

MARKER = "server_errors_expected"

# Python logging (`ERROR:name:`), Celery (`: ERROR/MainProcess]`), uvicorn (`ERROR:    `),
# Granian (`[ERROR]`), and any traceback, whatever the level it was logged at.
ERROR_LINE = re.compile(r"\b(?:ERROR|CRITICAL)(?:[:/\]]|\s{2})|^Traceback \(most recent call last\):")
CONTEXT_LINES = 12


@dataclass(frozen=True)
class LogError:
    """An error line of a watched log, with the lines that follow it (the traceback)."""

    name: str
    path: Path
    excerpt: str

    def __str__(self) -> str:
        return f"--- {self.name} ({self.path}) ---\n{self.excerpt}"


class WatchedLogs:
    """Log files of server processes, and what was written to them since a given moment."""

    def __init__(self) -> None:
        self._names: dict[Path, str] = {}

    def watch(self, log_path: Path, name: str) -> None:
        """Register the log of a server process started for the tests.

        Args:
            log_path: The file the process writes its stdout and stderr to.
            name: What the process is, for the failure message ("app", "worker").
        """
        self._names[log_path.resolve()] = name

    def positions(self) -> dict[Path, int]:
        """The current size of every watched log: where the next test's output starts."""
        return {path: _size(path) for path in self._names}

    def errors_since(self, start: dict[Path, int]) -> list[LogError]:
        """The error lines written to the watched logs after `start` (see `positions`).

        A log registered after `start` is read from its beginning; a log rewritten since
        (a new process on the same path) is read from its beginning too.
        """
        found: list[LogError] = []
        for path, name in list(self._names.items()):
            offset = start.get(path, 0)
            if _size(path) < offset:
                offset = 0
            try:
                with path.open("rb") as log:
                    log.seek(offset)
                    lines = log.read().decode(errors="replace").splitlines()
            except OSError:
                continue
            index = 0
            while index < len(lines):
                if ERROR_LINE.search(lines[index]):
                    excerpt = lines[index : index + CONTEXT_LINES]
                    found.append(LogError(name, path, "\n".join(excerpt)))
                    index += len(excerpt)
                else:
                    index += 1
        return found


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


# The servers started by this test process (tests/support/processes.py, worker.py, the chaos harness).
SERVERS = WatchedLogs()


def watch(log_path: Path, name: str) -> None:
    """Register a server's log with `SERVERS` (see `WatchedLogs.watch`)."""
    SERVERS.watch(log_path, name)
