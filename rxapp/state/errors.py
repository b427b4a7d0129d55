"""What the browser is told when an event handler fails: a French message, never a traceback."""

from __future__ import annotations

import logging
import traceback

import reflex as rx
from reflex.event import EventSpec

from rxapp.services.audit import INPUT_REFUSED, security_event

UNEXPECTED_ERROR = "Une erreur est survenue. Réessayez dans quelques instants."

logger = logging.getLogger(__name__)


def backend_error(exception: Exception) -> EventSpec:
    """Log the traceback server-side; show the person one French sentence.

    Every handler validates its own arguments, so what reaches here comes from a
    forged event (wrong argument types, unknown var) or from a bug: both are logged.
    """
    logger.error("Event handler failed:\n%s", "".join(traceback.format_exception(exception)))
    security_event(INPUT_REFUSED, reason="handler_exception", exception=type(exception).__name__)
    return rx.toast.error(UNEXPECTED_ERROR, id="backend_error", position="top-center", fallback_to_alert=True)
