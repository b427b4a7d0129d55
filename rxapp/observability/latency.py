"""Event-handler latency: Reflex's event processor, timed per handler.

Reflex 0.10 runs each event through `BaseStateEventProcessor._execute_event`
(state lock, middleware, handler, delta). It has no public hook that spans the
whole of it (a middleware's `postprocess` runs once per update), so that method
is wrapped once per process. The label is the handler's registered name: only
handlers that exist reach it, so a forged event name cannot add a series.
"""

from __future__ import annotations

import functools
import time

from rxapp.metrics import EVENT_HANDLER_SECONDS

_WRAPPED = "_ameli_timed"


def instrument_event_processor() -> bool:
    """Time every event handler into `ameli_event_handler_seconds` (idempotent).

    Returns:
        False when this Reflex has no such method (the histogram then stays empty).
    """
    try:
        from reflex_base.event.processor.base_state_processor import BaseStateEventProcessor
    except ImportError:
        return False
    original = getattr(BaseStateEventProcessor, "_execute_event", None)
    if original is None:
        return False
    if getattr(original, _WRAPPED, False):
        return True

    @functools.wraps(original)
    async def timed(self, *, entry, registered_handler):
        started = time.perf_counter()
        try:
            return await original(self, entry=entry, registered_handler=registered_handler)
        finally:
            handler = registered_handler.handler.fn.__qualname__
            EVENT_HANDLER_SECONDS.labels(handler=handler).observe(time.perf_counter() - started)

    setattr(timed, _WRAPPED, True)
    BaseStateEventProcessor._execute_event = timed  # type: ignore[method-assign]
    return True
