"""Speak Reflex's websocket protocol directly, as a browser tab (or an attacker) does.

socket.io on the `/_event` path and namespace, the tab token in the query string,
the hydrate event in the CONNECT packet, then `event` packets in both directions:
the client sends `{"name": "<state path>.<handler>", "payload": {...}, "router_data":
{...}}`, the server answers with `{"delta": {state: {var: value}}, "events": [...]}`
updates. Events the server sends back are played as the frontend plays them:
`_redirect` navigates (a new on_load), `_remove_cookie` forgets a cookie, any other
backend event is sent back; the rest (scripts, focus, toasts) is recorded only.

Updates carry no "done" flag any more, so `send()` waits until the tab is idle:
nothing received for `settle` seconds after the last update, or the first update
matching `until`.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import socketio

ROOT_STATE = "reflex___state____state"
EVENT_PATH = "/_event"
SESSION_COOKIE_VAR = "session_id"
FRONTEND_ONLY = (
    "_redirect",
    "_call_script",
    "_call_function",
    "_set_focus",
    "_remove_cookie",
    "_clear_local_storage",
    "_remove_local_storage",
    "_clear_session_storage",
    "_remove_session_storage",
    "_set_value",
    "_download",
    "_console",
    "_alert",
    "_set_clipboard",
    "_toggle_color_mode",
    "_blur_focus",
    "_scroll_to",
)


def state_path(state_cls: type) -> str:
    """The full dotted name Reflex gives a state class on the wire."""
    return state_cls.get_full_name()


def event_name(state_cls: type, handler: str) -> str:
    return f"{state_path(state_cls)}.{handler}"


@dataclass
class Received:
    at: float
    update: dict[str, Any]


@dataclass
class Sent:
    at: float
    name: str


@dataclass
class ReflexTab:
    """One browser tab: a socket, a token, its cookies and the state it was sent."""

    base_url: str
    cookies: dict[str, str] = field(default_factory=dict)
    token: str = field(default_factory=lambda: str(uuid.uuid4()))
    follow_events: bool = True
    path: str = "/"
    state: dict[str, dict[str, Any]] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    frontend_events: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    sent: list[Sent] = field(default_factory=list)
    """Every event emitted, followed ones included, with its `time.perf_counter()`."""
    headers: dict[str, str] = field(default_factory=dict)
    """Extra handshake headers (e.g. `X-Forwarded-For`, as a reverse proxy sets it)."""

    def __post_init__(self) -> None:
        self._sio = socketio.AsyncClient(reconnection=False, logger=False, engineio_logger=False)
        self._sio.on("event", self._on_update, namespace=EVENT_PATH)
        self._sio.on("connect_error", self._on_connect_error, namespace=EVENT_PATH)
        self._arrived = asyncio.Event()

    # -- connection ---------------------------------------------------------------------------------

    async def connect(self, path: str = "/", *, settle: float = 0.5, timeout: float = 15) -> None:
        """Open the socket with the hydrate event in the CONNECT packet, as the frontend does."""
        self.path = path
        hydrate = self._event(f"{ROOT_STATE}.hydrate_and_load", self._storage_payload())
        self.sent.append(Sent(time.perf_counter(), hydrate["name"]))
        await self._sio.connect(
            f"{self.base_url}?token={self.token}",
            headers=self.headers,
            namespaces=[EVENT_PATH],
            socketio_path=EVENT_PATH,
            transports=["websocket"],
            auth={"event": hydrate},
            wait_timeout=timeout,
        )
        await self.wait_idle(settle=settle, timeout=timeout)

    async def close(self) -> None:
        if self._sio.connected:
            await self._sio.disconnect()

    @property
    def connected(self) -> bool:
        return self._sio.connected

    # -- events ---------------------------------------------------------------------------------------

    async def send(
        self,
        name: str,
        payload: dict[str, Any] | None = None,
        *,
        until: Callable[[dict[str, Any]], bool] | None = None,
        settle: float = 0.5,
        timeout: float = 15,
    ) -> float:
        """Send one event; return the seconds until its first matching update arrived."""
        start = time.perf_counter()
        mark = len(self.received)
        await self._emit(self._event(name, payload or {}))
        first = await self._wait(mark, until=until, settle=settle, timeout=timeout)
        return first - start if first is not None else float("nan")

    async def emit_raw(self, data: Any) -> None:
        """Send anything as an `event` packet (for fuzzing the deserialisation)."""
        await self._sio.emit("event", data, namespace=EVENT_PATH)

    async def navigate(self, path: str, *, settle: float = 0.5, timeout: float = 15) -> float:
        """A client-side navigation: the page's on_load events, with the new route."""
        self.path = path
        start = time.perf_counter()
        mark = len(self.received)
        await self._emit_navigation_events()
        first = await self._wait(mark, until=None, settle=settle, timeout=timeout)
        return first - start if first is not None else float("nan")

    async def wait_for(
        self, until: Callable[[dict[str, Any]], bool], *, after: float = 0.0, timeout: float = 15
    ) -> float | None:
        """When the first update received after `after` (a `time.perf_counter()`) and
        matching `until` arrived; None (and an error recorded) after `timeout` seconds."""
        deadline = time.perf_counter() + timeout
        while True:
            for item in self.received:
                if item.at > after and until(item.update):
                    return item.at
            now = time.perf_counter()
            if now > deadline:
                self.errors.append(f"pas de réponse attendue en {timeout} s")
                return None
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), timeout=deadline - now)

    def last_sent(self, name: str, *, before: float | None = None) -> Sent | None:
        """The last event called `name` (or ending with `.name`) emitted before `before`."""
        for item in reversed(self.sent):
            if (item.name == name or item.name.endswith(f".{name}")) and (before is None or item.at < before):
                return item
        return None

    async def wait_idle(self, *, settle: float = 0.5, timeout: float = 15) -> None:
        await self._wait(len(self.received), until=None, settle=settle, timeout=timeout, need_one=False)

    def var(self, state_cls: type, name: str, default: Any = None) -> Any:
        return self.state.get(state_path(state_cls), {}).get(f"{name}_rx_state_", default)

    @property
    def redirects(self) -> list[str]:
        return [
            event["payload"].get("path", "") for event in self.frontend_events if event["name"] == "_redirect"
        ]

    # -- internals ---------------------------------------------------------------------------------

    def _event(self, name: str, payload: dict[str, Any]) -> dict[str, Any]:
        path, _, query = self.path.partition("?")
        router_data: dict[str, Any] = {"pathname": path, "asPath": self.path}
        if query:
            router_data["query"] = dict(part.split("=", 1) for part in query.split("&") if "=" in part)
        return {"name": name, "payload": payload, "router_data": router_data}

    def _storage_payload(self) -> dict[str, Any]:
        return {"vars": dict(self.cookies)} if self.cookies else {}

    async def _emit(self, event: dict[str, Any]) -> None:
        if not self._sio.connected:
            self.errors.append(f"socket fermé avant l'envoi de {event['name']}")
            return
        self.sent.append(Sent(time.perf_counter(), event["name"]))
        await self._sio.emit("event", event, namespace=EVENT_PATH)

    async def _emit_navigation_events(self) -> None:
        if self.cookies:
            await self._emit(
                self._event(
                    f"{ROOT_STATE}.reflex___state____update_vars_internal_state.update_vars_internal",
                    self._storage_payload(),
                )
            )
        await self._emit(
            self._event(f"{ROOT_STATE}.reflex___state____on_load_internal_state.on_load_internal", {})
        )

    async def _wait(
        self,
        mark: int,
        *,
        until: Callable[[dict[str, Any]], bool] | None,
        settle: float,
        timeout: float,
        need_one: bool = True,
    ) -> float | None:
        """Wait for the updates after `mark`; return when the first relevant one arrived."""
        deadline = time.perf_counter() + timeout
        first: float | None = None
        while True:
            for item in self.received[mark:]:
                if until is None or until(item.update):
                    first = item.at
                    break
            if first is not None and until is not None:
                return first
            last = self.received[-1].at if len(self.received) > mark else None
            now = time.perf_counter()
            if until is None and (last is not None or not need_one):
                quiet_since = last if last is not None else now
                if last is None:
                    await asyncio.sleep(settle)
                    if len(self.received) == mark:
                        return None
                    continue
                if now - quiet_since >= settle:
                    return first
            if now > deadline:
                if need_one:
                    self.errors.append(f"pas de réponse en {timeout} s")
                return first
            self._arrived.clear()
            remaining = settle if until is None else deadline - now
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._arrived.wait(), timeout=max(0.01, min(remaining, deadline - now))
                )

    async def _on_update(self, update: dict[str, Any]) -> None:
        self.received.append(Received(time.perf_counter(), update))
        for state_name, changes in (update.get("delta") or {}).items():
            self.state.setdefault(state_name, {}).update(changes)
            self._remember_cookies(state_name, changes)
        self._arrived.set()
        for event in update.get("events") or []:
            await self._play(event)

    def _remember_cookies(self, state_name: str, changes: dict[str, Any]) -> None:
        """Client storage vars come back in deltas; the frontend writes them to cookies."""
        for key, value in changes.items():
            if key.removesuffix("_rx_state_") in (SESSION_COOKIE_VAR,):
                full = f"{state_name}.{key}"
                if value:
                    self.cookies[full] = value
                else:
                    self.cookies.pop(full, None)

    async def _play(self, event: dict[str, Any]) -> None:
        name = event.get("name", "")
        if name.startswith("_") or name in FRONTEND_ONLY:
            self.frontend_events.append(event)
            if name == "_redirect" and self.follow_events:
                self.path = event.get("payload", {}).get("path", "/")
                await self._emit_navigation_events()
            return
        if self.follow_events:
            await self._emit(self._event(name, event.get("payload") or {}))

    async def _on_connect_error(self, data: Any) -> None:
        self.errors.append(f"connexion refusée : {data}")
