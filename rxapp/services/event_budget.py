"""Budgets against floods of websocket events, and logs that a flood cannot inflate.

Plain rules with the time injected (no reflex, no redis): a token bucket per
connection, a fixed one-minute window per client address, a tally that turns
any number of refusals from one connection into at most two log lines a minute,
and the rule that tells a forged event's failure from a real server fault.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

WINDOW_SECONDS = 60.0
# Longest handler name written to a log line: a forged name cannot make a line long.
MAX_NAME_LENGTH = 120
# Exceptions that a forged event makes Reflex raise while it resolves the handler or binds
# its arguments (pydantic's ValidationError is a ValueError).
INPUT_ERRORS: tuple[type[BaseException], ...] = (TypeError, ValueError, AttributeError, LookupError)
OWN_CODE = Path(__file__).resolve().parent.parent  # the rxapp package


@dataclass
class TokenBucket:
    """`rate` tokens a second up to `burst`; each event takes one.

    Attributes:
        rate: Tokens added per second (the sustained event rate).
        burst: The bucket's size (the longest burst allowed after a quiet moment).
        tokens: What is left now; a new bucket is full.
        updated: When `tokens` was last brought up to date (seconds, monotonic).
    """

    rate: float
    burst: float
    tokens: float = -1.0
    updated: float | None = None

    def take(self, now: float, cost: float = 1.0) -> bool:
        """Take `cost` tokens at time `now`.

        Returns:
            True when the event fits in the budget; False (nothing taken) when it does not.
        """
        if self.updated is None or self.tokens < 0:
            self.tokens, self.updated = self.burst, now
        self.tokens = min(self.burst, self.tokens + max(0.0, now - self.updated) * self.rate)
        self.updated = now
        if self.tokens < cost:
            return False
        self.tokens -= cost
        return True


def window_of(now: float, seconds: float = WINDOW_SECONDS) -> int:
    """The number of the fixed window that `now` (seconds since the epoch) falls in."""
    return int(now // seconds)


@dataclass
class WindowCounter:
    """Counts per key in fixed one-minute windows, in memory (one process).

    A fixed window lets through at most twice the limit across a window's edge:
    enough against floods, and one counter per key (the same rule as the Redis one).
    """

    seconds: float = WINDOW_SECONDS
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)

    def add(self, key: str, now: float, amount: int = 1) -> int:
        """Add `amount` to `key` in the current window; return the window's total so far."""
        window = window_of(now, self.seconds)
        current, count = self.counts.get(key, (window, 0))
        if current != window:
            count = 0
            if len(self.counts) > 10_000:
                self._forget_before(window)
        self.counts[key] = (window, count + amount)
        return count + amount

    def _forget_before(self, window: int) -> None:
        for key in [key for key, (current, _) in self.counts.items() if current < window]:
            del self.counts[key]


@dataclass(frozen=True)
class LogLine:
    """One line to write: the first refusal of a window, or the count of a closed window."""

    fields: dict[str, str | int]


@dataclass
class _Window:
    number: int
    count: int = 0
    first: dict[str, str | int] = field(default_factory=dict)
    last: str = ""


@dataclass
class RefusalTally:
    """Aggregates refusals per connection: one line when a minute's first refusal happens,
    one line with the count of the rest when that minute is over (or the connection ends).

    However much a connection sends, it costs at most two lines a minute.
    """

    seconds: float = WINDOW_SECONDS
    windows: dict[str, _Window] = field(default_factory=dict)

    def record(self, key: str, now: float, **details: str | int) -> list[LogLine]:
        """Count one refusal for connection `key`; return the lines to write now (maybe none)."""
        number = window_of(now, self.seconds)
        lines: list[LogLine] = []
        window = self.windows.get(key)
        if window is not None and window.number != number:
            lines += self._summary(key, window)
            window = None
        if window is None:
            window = self.windows[key] = _Window(number, first=dict(details))
            window.count = 1
            lines.append(LogLine({"connection": key, **details}))
            return lines
        window.count += 1
        window.last = str(details.get("reason", ""))
        return lines

    def close(self, key: str) -> list[LogLine]:
        """The connection `key` ended: the count of its last window, if any refusal was not written."""
        window = self.windows.pop(key, None)
        return self._summary(key, window) if window is not None else []

    def expired(self, now: float) -> list[LogLine]:
        """Close the windows that are over (for a periodic flush); return their summaries."""
        number = window_of(now, self.seconds)
        lines: list[LogLine] = []
        for key in [key for key, window in self.windows.items() if window.number != number]:
            lines += self._summary(key, self.windows.pop(key))
        return lines

    def _summary(self, key: str, window: _Window) -> list[LogLine]:
        if window.count <= 1:
            return []
        return [
            LogLine(
                {
                    "connection": key,
                    "repeated": window.count - 1,
                    "last_reason": window.last,
                }
            )
        ]


def short_name(name: object) -> str:
    """A client-supplied handler name as it may appear in a log line (a string, bounded)."""
    text = name if isinstance(name, str) else type(name).__name__
    return text[:MAX_NAME_LENGTH]


# Reflex's function that calls a handler with its bound arguments: the frames below it are
# the handler's; the ones above are the event processor's (and our wrappers around it).
HANDLER_CALLER = "process_event"


def _handler_frames(exception: BaseException) -> Iterable[str]:
    """The files of the frames run on behalf of the handler (all of them when the caller is not found)."""
    frames = [
        (frame.f_code.co_filename, frame.f_code.co_name)
        for frame, _ in traceback.walk_tb(exception.__traceback__)
    ]
    callers = [index for index, (_, name) in enumerate(frames) if name == HANDLER_CALLER]
    start = callers[0] + 1 if callers else 0
    return [filename for filename, _ in frames[start:]]


def is_refused_input(exception: BaseException, *, own_code: Path = OWN_CODE) -> bool:
    """Whether a handler's failure comes from the event it was sent, not from our code.

    A forged event (unknown var for `setvar`, wrong or missing arguments, values that
    cannot be converted to the annotated types) fails inside Reflex, while it resolves
    the handler or binds and converts the arguments, before any line of ours runs. An
    exception raised in our own code, whatever its class, is a server fault: its
    traceback is what an operator needs.

    Args:
        exception: What the handler (or Reflex around it) raised.
        own_code: The folder of our own modules (the rxapp package).

    Returns:
        True when the exception is one of the input errors (`INPUT_ERRORS`) and none
        of the frames below Reflex's `process_event` (the handler's side) is ours.
    """
    if not isinstance(exception, INPUT_ERRORS):
        return False
    own = str(own_code) + "/"
    return not any(filename.startswith(own) for filename in _handler_frames(exception))
