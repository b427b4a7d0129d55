"""The event budgets of one web process, and the security log lines they write.

Each connection has a token bucket for its events and a smaller one for the login
handlers; its client address (through the trusted proxies) has budgets per minute
for sockets, events and logins, shared through Redis when there is one. Refusals
go through a `RefusalTally`: however much a connection sends, it writes at most
two security lines a minute (the first refusal, then the count of the others).
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from rxapp.abuse.address_budget import AddressCounter, address_counter, claim_block
from rxapp.services.audit import CONNECTION_CLOSED, CONNECTION_REFUSED, EVENT_REFUSED, security_event
from rxapp.services.client_address import client_address
from rxapp.services.event_budget import RefusalTally, TokenBucket, WindowCounter, short_name
from rxapp.settings import Settings

# Beyond this many connections and addresses with refusals, the finished minutes are written out.
MAX_OPEN_WINDOWS = 1000


def _metrics():
    """`rxapp.metrics`, imported on first use: `rxapp.observability.setup` must pick prometheus_client's
    multiprocess mode before any metric exists, and `rxapp/rxapp.py` imports this package earlier."""
    from rxapp import metrics

    return metrics


class Verdict(enum.Enum):
    ADMIT = "admit"
    REFUSE = "refuse"  # refused without loading state; answered as a failed handler is
    DROP = "drop"  # over budget: nothing is sent back
    CLOSE = "close"


@dataclass
class Connection:
    """What the guard keeps about one socket."""

    address: str
    events: TokenBucket
    logins: TokenBucket
    key: str
    closing: bool = False


def handshake_address(environ: dict[str, Any], trusted_proxies: Collection[Any]) -> str:
    """The client's address from a socket's handshake (ASGI scope), through the trusted proxies."""
    scope = environ.get("asgi.scope") or {}
    client = scope.get("client") or (environ.get("REMOTE_ADDR", ""),)
    forwarded = [
        value.decode("latin-1")
        for name, value in scope.get("headers", [])
        if name.lower() == b"x-forwarded-for"
    ]
    return client_address(
        peer=str(client[0] or ""),
        forwarded_for=", ".join(forwarded) or None,
        trusted_proxies=trusted_proxies,
    )


@dataclass
class EventGuard:
    """Admits or refuses connections and events, before Reflex loads any state."""

    settings: Settings
    login_handlers: frozenset[str]
    counter: AddressCounter | None = None
    connections: dict[str, Connection] = field(default_factory=dict)
    overruns: WindowCounter = field(default_factory=WindowCounter)
    tally: RefusalTally = field(default_factory=RefusalTally)

    def __post_init__(self) -> None:
        if self.counter is None:
            self.counter = address_counter(self.settings.redis_url, self.settings.deployment_key)

    # -- connections ---------------------------------------------------------------------------------

    async def admit_connection(self, sid: str, environ: dict[str, Any], token: str | None) -> bool:
        """Count a new socket for its address; False when the address is over its socket budget."""
        address = handshake_address(environ, self.settings.trusted_proxy_networks)
        assert self.counter is not None
        if await self.counter.add("socket", address) > self.settings.address_sockets_per_minute:
            _metrics().SOCKETS_CLOSED.labels(reason="address_sockets").inc()
            self.refuse(
                f"address:{address}", event=CONNECTION_REFUSED, reason="address_sockets", client_ip=address
            )
            return False
        s = self.settings
        self.connections[sid] = Connection(
            address=address,
            events=TokenBucket(rate=s.event_rate, burst=s.event_burst),
            logins=TokenBucket(rate=s.login_rate, burst=s.login_burst),
            key=(token or sid)[:64],
        )
        return True

    def forget(self, sid: str) -> None:
        """The socket is gone: write the count of its last refusals, if any."""
        connection = self.connections.pop(sid, None)
        if connection is not None:
            self._write(self.tally.close(connection.key), EVENT_REFUSED)

    # -- events --------------------------------------------------------------------------------------

    async def admit_event(self, sid: str, data: Any, refusal: Callable[[str, dict], str | None]) -> Verdict:
        """Whether an event may reach Reflex's event processor.

        Args:
            sid: The socket's id.
            data: The event packet as received.
            refusal: Why the app would refuse this handler name and payload without running
                anything (unknown handler, `setvar` of a var with no setter), or None.

        Returns:
            ADMIT; REFUSE (a packet the app would fail anyway: answered like a failed
            handler); DROP (over budget: not answered); CLOSE (over budget too often this
            minute: the socket is to be closed).
        """
        connection = self.connections.get(sid)
        if connection is None or connection.closing:
            return Verdict.DROP
        now = time.monotonic()
        name = data.get("name") if isinstance(data, dict) else None
        if not connection.events.take(now):
            return self._overrun(sid, connection, "over_budget", name)
        payload = data.get("payload", {}) if isinstance(data, dict) else None
        if not isinstance(name, str) or not isinstance(payload, dict):
            return self._drop(connection, "malformed", name)
        if (reason := refusal(name, payload)) is not None:
            return self._drop(connection, reason, name)
        assert self.counter is not None
        if name in self.login_handlers:
            if not connection.logins.take(now):
                return self._overrun(sid, connection, "login_budget", name)
            if await self.counter.add("login", connection.address) > self.settings.address_logins_per_minute:
                return self._overrun(sid, connection, "address_logins", name)
        limit = self.settings.address_events_per_minute
        if await self.counter.add("event", connection.address, claim_block(limit)) > limit:
            return self._overrun(sid, connection, "address_events", name)
        return Verdict.ADMIT

    def refuse_packet(self, sid: str, reason: str, data: Any, exception: str) -> None:
        """Count a packet that Reflex itself could not take (admitted, then refused)."""
        connection = self.connections.get(sid)
        if connection is None:
            return
        _metrics().EVENTS_REFUSED.labels(reason=reason).inc()
        name = data.get("name") if isinstance(data, dict) else None
        self.refuse(
            connection.key,
            reason=reason,
            handler=short_name(name),
            exception=exception,
            client_ip=connection.address,
        )

    def _drop(self, connection: Connection, reason: str, name: object) -> Verdict:
        _metrics().EVENTS_REFUSED.labels(reason=reason).inc()
        self.refuse(connection.key, reason=reason, handler=short_name(name), client_ip=connection.address)
        return Verdict.REFUSE

    def _overrun(self, sid: str, connection: Connection, reason: str, name: object) -> Verdict:
        self._drop(connection, reason, name)  # counted and logged, but not answered
        if self.overruns.add(sid, time.time()) < self.settings.event_overruns_before_close:
            return Verdict.DROP
        connection.closing = True
        _metrics().SOCKETS_CLOSED.labels(reason=reason).inc()
        security_event(
            CONNECTION_CLOSED, connection=connection.key, reason=reason, client_ip=connection.address
        )
        return Verdict.CLOSE

    # -- the security log ----------------------------------------------------------------------------

    def refuse(self, key: str, *, event: str = EVENT_REFUSED, **details: str | int) -> bool:
        """Count one refusal for connection `key`; write what the tally lets through.

        Returns:
            True when this refusal was written in full (the first of its minute).
        """
        now = time.time()
        lines = self.tally.record(key, now, event=event, **details)
        if len(self.tally.windows) > MAX_OPEN_WINDOWS:
            lines += self.tally.expired(now)
        self._write(lines, event)
        return any("repeated" not in line.fields for line in lines)

    @staticmethod
    def _write(lines, default_event: str) -> None:
        for line in lines:
            fields = dict(line.fields)
            event = str(fields.pop("event", default_event))
            security_event(event, **fields)
