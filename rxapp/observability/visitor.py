"""The visitor's address for a Reflex state (web layer glue over `services.client_address`)."""

from __future__ import annotations

from typing import Any

from rxapp.services.client_address import client_address
from rxapp.settings import get_settings


def visitor_address(router: Any) -> str:
    """The address of the browser behind a state's websocket, through trusted proxies only.

    Args:
        router: A state's `router` (Reflex's RouterData): the socket's peer is in
            `session.client_ip`, its handshake headers in `headers.raw_headers`.

    Returns:
        The client's address, or "" when Reflex knows none.
    """
    headers = getattr(router.headers, "raw_headers", None) or {}
    return client_address(
        peer=router.session.client_ip or "",
        forwarded_for=headers.get("x-forwarded-for"),
        trusted_proxies=get_settings().trusted_proxy_networks,
    )


def request_address(request: Any) -> str:
    """The client address of a Starlette HTTP request, through trusted proxies only.

    Args:
        request: A `starlette.requests.Request` (its peer in `client.host`).

    Returns:
        The client's address, or "" when the server knows none.
    """
    return client_address(
        peer=request.client.host if request.client else "",
        forwarded_for=request.headers.get("x-forwarded-for"),
        trusted_proxies=get_settings().trusted_proxy_networks,
    )
