"""The event websocket guarded at the transport, before engine.io reads a frame (issue 15).

An ASGI middleware in front of the whole app (the last `api_transformer`), for the
socket.io endpoint only:

- Per websocket, a token bucket of frames: the events' budget (`EVENT_RATE`,
  `EVENT_BURST`) and `FRAME_SLACK` more for engine.io's own frames. A frame over it is
  dropped unread: no engine.io packet, no socket.io JSON, no guard, no answer. A socket
  with `EVENT_OVERRUNS_BEFORE_CLOSE` such drops in a minute is closed at the transport:
  the client gets a close frame (1008), the app sees it leave, and what the client had
  already queued is never read (granian buffers incoming frames without backpressure, so
  a socket closed only at the socket.io level went on being decoded frame by frame).
- Per client address: once `FLOOD_CLOSES_BEFORE_COOLDOWN` of its sockets were closed so in
  a minute, its new sockets are refused for `FLOOD_COOLDOWN_SECONDS` before any handshake
  (HTTP 403 to a websocket, 429 to engine.io's polling), on every web instance through
  Redis. Its open sockets are left alone.

Each close writes one security line; the refused handshakes go through the guard's tally
(one line per address a minute, then a count).
"""

from __future__ import annotations

import time
import urllib.parse
from dataclasses import dataclass, field
from ipaddress import IPv4Network, IPv6Network

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rxapp.abuse.address_budget import Cooldowns
from rxapp.abuse.guard import handshake_address
from rxapp.services.audit import CONNECTION_CLOSED, CONNECTION_REFUSED, security_event
from rxapp.services.event_budget import TokenBucket, window_of
from rxapp.settings import Settings, get_settings

EVENT_PATH = "/_event"  # reflex_base.constants.Endpoint.EVENT
# Frames a connection may send beyond its events' budget: engine.io's pongs and upgrade probes,
# the socket.io CONNECT; over-budget events then still reach the guard, which logs their handler.
FRAME_SLACK = 20
CLOSE_POLICY_VIOLATION = 1008
FRAME_BUDGET = "frame_budget"
COOLDOWN = "flood_cooldown"


def _metrics():
    from rxapp import metrics  # after rxapp.observability picked prometheus_client's mode

    return metrics


@dataclass
class FrameBudget:
    """One websocket's frames: its bucket, and its drops in the current minute."""

    bucket: TokenBucket
    window: int = 0
    drops: int = 0
    dropped: int = 0  # over the socket's life

    def admit(self, now: float, wall: float) -> bool:
        if self.bucket.take(now):
            return True
        self.dropped += 1
        window = window_of(wall)
        if window != self.window:
            self.window, self.drops = window, 0
        self.drops += 1
        return False


@dataclass
class TransportGuard:
    """The frame budgets and the address cool-downs of one web process."""

    settings: Settings
    cooldowns: Cooldowns = field(init=False)
    trusted_proxies: tuple[IPv4Network | IPv6Network, ...] = field(init=False)

    def __post_init__(self) -> None:
        self.cooldowns = Cooldowns(self.settings.redis_url, self.settings.deployment_key)
        # Parsed once: a flood of refused handshakes spent a tenth of its time parsing them again.
        self.trusted_proxies = self.settings.trusted_proxy_networks

    def budget(self) -> FrameBudget:
        s = self.settings
        return FrameBudget(TokenBucket(rate=s.event_rate, burst=s.event_burst + FRAME_SLACK))

    async def refuse_handshake(self, address: str) -> bool:
        """True (counted and logged, aggregated) when `address` is cooling down."""
        if not await self.cooldowns.active(address):
            return False
        from rxapp.abuse import event_guard

        _metrics().SOCKETS_CLOSED.labels(reason=COOLDOWN).inc()
        event_guard().refuse(
            f"address:{address}", event=CONNECTION_REFUSED, reason=COOLDOWN, client_ip=address
        )
        return True

    async def closed_for_flooding(self, address: str, key: str, frames: FrameBudget) -> None:
        """Count and log a socket closed at the transport; start its address's cool-down when due."""
        from rxapp.abuse import event_guard

        metrics = _metrics()
        metrics.SOCKETS_CLOSED.labels(reason=FRAME_BUDGET).inc()
        metrics.EVENTS_REFUSED.labels(reason=FRAME_BUDGET).inc(frames.dropped)
        security_event(
            CONNECTION_CLOSED, connection=key, reason=FRAME_BUDGET, dropped=frames.dropped, client_ip=address
        )
        counter = event_guard().counter
        assert counter is not None
        if await counter.add("flood_close", address) >= self.settings.flood_closes_before_cooldown:
            await self.cooldowns.start(address, self.settings.flood_cooldown_seconds)


def _is_handshake(scope: Scope) -> bool:
    """A new engine.io connection (no `sid` yet): a websocket, or polling's first request."""
    query = urllib.parse.parse_qs(scope.get("query_string", b"").decode("latin-1"))
    return scope["type"] == "websocket" or "sid" not in query


def _connection_key(scope: Scope) -> str:
    query = urllib.parse.parse_qs(scope.get("query_string", b"").decode("latin-1"))
    return ((query.get("token") or query.get("sid") or ["?"])[0])[:64]


def flood_guard(app: ASGIApp, settings: Settings | None = None) -> ASGIApp:
    """Wrap the ASGI app so that the event websocket goes through a `TransportGuard`."""
    guard = TransportGuard(settings or get_settings())

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("websocket", "http") or not scope.get("path", "").startswith(EVENT_PATH):
            await app(scope, receive, send)
            return
        address = handshake_address({"asgi.scope": scope}, guard.trusted_proxies)
        if _is_handshake(scope) and await guard.refuse_handshake(address):
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": CLOSE_POLICY_VIOLATION})  # HTTP 403
            else:
                await send({"type": "http.response.start", "status": 429, "headers": []})
                await send({"type": "http.response.body", "body": b""})
            return
        if scope["type"] != "websocket":
            await app(scope, receive, send)
            return
        frames = guard.budget()
        limit = guard.settings.event_overruns_before_close
        closed = False

        async def budgeted_receive() -> Message:
            nonlocal closed
            if closed:
                return {"type": "websocket.disconnect", "code": CLOSE_POLICY_VIOLATION}
            while True:
                message = await receive()
                if message["type"] != "websocket.receive" or frames.admit(time.monotonic(), time.time()):
                    return message
                if frames.drops >= limit:
                    closed = True
                    await send({"type": "websocket.close", "code": CLOSE_POLICY_VIOLATION})
                    await guard.closed_for_flooding(address, _connection_key(scope), frames)
                    return {"type": "websocket.disconnect", "code": CLOSE_POLICY_VIOLATION}

        async def send_until_closed(message: Message) -> None:
            if not closed:  # after the close, engine.io's last packets and its own close go nowhere
                await send(message)

        await app(scope, budgeted_receive, send_until_closed)

    return guarded
