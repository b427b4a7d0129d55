"""What the browser is told when an event handler fails: a French message, never a traceback."""

from __future__ import annotations

import reflex as rx
from reflex.event import EventSpec

from rxapp.abuse.faults import report_handler_failure

UNEXPECTED_ERROR = "Une erreur est survenue. Réessayez dans quelques instants."


def backend_error(exception: Exception) -> EventSpec:
    """Log the failure server-side (see `rxapp.abuse.faults`); show the person one French sentence.

    Every handler validates its own arguments, so what reaches here comes from a
    forged event (wrong argument types, unknown var: one line, no traceback) or from
    a bug (its traceback, once a minute per connection).
    """
    report_handler_failure(exception)
    return unexpected_error()


def unexpected_error() -> EventSpec:
    """The toast of a failed event (also sent for a packet refused before any state is loaded)."""
    return rx.toast.error(UNEXPECTED_ERROR, id="backend_error", position="top-center", fallback_to_alert=True)
