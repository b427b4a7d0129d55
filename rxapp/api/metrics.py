"""`/metrics` in Prometheus text format, for allowed addresses or a bearer token.

Readable from `METRICS_ALLOWED` (the local machine by default; the address is the
client's as seen through `TRUSTED_PROXIES`), or from anywhere with
`Authorization: Bearer <METRICS_TOKEN>`. The outbox gauges are read from the
database at each scrape.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from ipaddress import ip_address

from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client.core import GaugeMetricFamily
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from rxapp.metrics import exposition
from rxapp.services.client_address import client_address
from rxapp.settings import Settings, get_settings

METRICS = "/metrics"
logger = logging.getLogger(__name__)


class OutboxCollector:
    """`ameli_outbox_pending` and `ameli_outbox_oldest_age_seconds`, read at scrape time."""

    def collect(self):
        from rxapp.db import session_scope
        from rxapp.services.backlog import outbox_backlog

        try:
            with session_scope() as session:
                backlog = outbox_backlog(session=session)
        except Exception as error:  # the scrape still answers; the gauge is missing
            logger.warning("Outbox gauges unavailable: %s", type(error).__name__)
            return
        pending = GaugeMetricFamily("ameli_outbox_pending", "Requests still waiting for their affaire")
        pending.add_metric([], backlog.pending)
        oldest = GaugeMetricFamily(
            "ameli_outbox_oldest_age_seconds", "Age of the oldest request still waiting for its affaire"
        )
        oldest.add_metric([], backlog.oldest_age_seconds)
        yield pending
        yield oldest


def access_allowed(*, settings: Settings, peer: str, forwarded_for: str | None, authorization: str) -> bool:
    """A valid bearer token, or a client address among `METRICS_ALLOWED`.

    Args:
        settings: `METRICS_TOKEN`, `METRICS_ALLOWED` and `TRUSTED_PROXIES`.
        peer: The connection's peer address.
        forwarded_for: Its `X-Forwarded-For` header, believed from trusted proxies only.
        authorization: Its `Authorization` header ("" when absent).
    """
    if settings.metrics_token and authorization.startswith("Bearer "):
        offered = authorization.removeprefix("Bearer ").encode()
        return hmac.compare_digest(offered, settings.metrics_token.encode())
    address = client_address(
        peer=peer, forwarded_for=forwarded_for, trusted_proxies=settings.trusted_proxy_networks
    )
    try:
        parsed = ip_address(address)
    except ValueError:
        return False
    return any(parsed.version == net.version and parsed in net for net in settings.metrics_allowed_networks)


async def metrics(request: Request) -> Response:
    """The app process's metrics (403 for anybody else)."""
    if not access_allowed(
        settings=get_settings(),
        peer=request.client.host if request.client else "",
        forwarded_for=request.headers.get("x-forwarded-for"),
        authorization=request.headers.get("authorization", ""),
    ):
        return PlainTextResponse("Accès refusé.", status_code=403)
    body = await asyncio.to_thread(exposition, OutboxCollector())
    return Response(body, media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})


metrics_routes = [Route(METRICS, metrics, methods=["GET"])]
