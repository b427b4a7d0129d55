"""The operations side of the web role: logs, counters, event latency, and their routes."""

from __future__ import annotations

from starlette.routing import BaseRoute

from rxapp.api.health import health_routes
from rxapp.api.metrics import metrics_routes
from rxapp.logging_setup import configure_logging
from rxapp.observability.latency import instrument_event_processor
from rxapp.observability.tracking import install_tracking
from rxapp.settings import get_settings


def operations_routes() -> list[BaseRoute]:
    """Configure this process's logs and metrics, and return `/healthz`, `/readyz`, `/metrics`.

    Called once where the app builds its API (`rxapp/rxapp.py`): logs go to stdout in
    `LOG_FORMAT`, committed rows and security events are counted, and every event
    handler is timed.
    """
    configure_logging(get_settings())
    install_tracking()
    instrument_event_processor()
    return [*health_routes, *metrics_routes]
