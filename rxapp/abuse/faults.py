"""A failed event handler, logged by what it is: a refused forged event, or a server fault.

The rule (`services.event_budget.is_refused_input`): a TypeError, ValueError (pydantic's
ValidationError included), AttributeError or LookupError raised by Reflex while it
resolves the handler or binds and converts the arguments, before our code runs, comes
from the event that was sent; it is logged with the handler's name and the exception's
class, never a traceback. Anything raised in our own code is a server fault: logged with
its traceback, once a minute per connection (the security log counts the rest).
"""

from __future__ import annotations

import logging
import traceback

from rxapp.services.audit import INPUT_REFUSED
from rxapp.services.event_budget import HANDLER_CALLER, is_refused_input, short_name

logger = logging.getLogger("rxapp.state.errors")


def _metrics():
    """`rxapp.metrics`, imported on first use: `rxapp.observability.setup` must pick prometheus_client's
    multiprocess mode before any metric exists, and `rxapp/rxapp.py` imports this package earlier."""
    from rxapp import metrics

    return metrics


def failed_handler_name(exception: BaseException) -> str:
    """The qualified name of the handler Reflex was running (from its `process_event` frame)."""
    for frame, _ in traceback.walk_tb(exception.__traceback__):
        if frame.f_code.co_name == HANDLER_CALLER:
            handler = frame.f_locals.get("handler")
            name = getattr(getattr(handler, "fn", None), "__qualname__", None)
            if name:
                return short_name(name)
    return "unknown"


def _connection_key() -> str:
    try:
        from reflex_base.event.context import EventContext

        return EventContext.get().token[:64]
    except (ImportError, LookupError):
        return "unknown"


def report_handler_failure(exception: BaseException) -> None:
    """Log one handler failure, aggregated per connection (see the module docstring)."""
    from rxapp.abuse import event_guard

    handler = failed_handler_name(exception)
    kind = type(exception).__name__
    if is_refused_input(exception):
        _metrics().EVENTS_REFUSED.labels(reason="handler_exception").inc()
        event_guard().refuse(
            _connection_key(),
            event=INPUT_REFUSED,
            reason="handler_exception",
            handler=handler,
            exception=kind,
        )
        return
    # A key of their own: refusals counted earlier in the minute do not hide a fault's traceback.
    if event_guard().refuse(
        f"{_connection_key()}:fault",
        event=INPUT_REFUSED,
        reason="server_fault",
        handler=handler,
        exception=kind,
    ):
        logger.error("Event handler %s failed:\n%s", handler, "".join(traceback.format_exception(exception)))
