"""Speak Reflex's websocket protocol directly, as a browser tab (or an attacker) does.

socket.io on the `/_event` path and namespace, the tab token in the query string,
the hydrate event in the CONNECT packet, then `event` packets in both directions:
the client sends `{"name": "<state path>.<handler>", "payload": {...}, "router_data":
{...}}`, the server answers with `{"delta": {state: {var: value}}, "events": [...]}`
updates. Events the server sends back are played as the frontend plays them:
`_redirect` navigates (a new on_load), `_remove_cookie` forgets a cookie, any other
backend event is sent back; the rest (scripts, focus, toasts) is recorded only.

Cookies are HTTP cookies, as in a browser: the session routes set them in
`Set-Cookie` headers (`load_page`, a whole-page navigation), and the socket sends
them in its handshake's Cookie header. A new page load opens a new socket for the
same tab token, as the browser does. Every frame the server sends is kept in
`frames`, raw, for the tests that look for secrets in them.

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
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import socketio

ROOT_STATE = "reflex___state____state"
EVENT_PATH = "/_event"


async def open_socket(
    sio: socketio.AsyncClient,
    base_url: str,
    *,
    token: str,
    headers: dict[str, str],
    hydrate: dict[str, Any],
    timeout: float,
) -> None:
    """Connect as the frontend does: websocket only, the tab's token in the URL and the
    hydrate event in the CONNECT packet."""
    await sio.connect(
        f"{base_url}?token={token}",
        headers=headers,
        namespaces=[EVENT_PATH],
        socketio_path=EVENT_PATH,
        transports=["websocket"],
        auth={"event": hydrate},
        wait_timeout=timeout,
    )


PAGE_LOAD_VAR = "page_load_rx_state_"
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


def redirected(update: dict[str, Any]) -> bool:
    """Whether a state update asks the page to navigate (a `_redirect` frontend event)."""
    return any(event.get("name") == "_redirect" for event in update.get("events") or [])


def delta_of(state: str, var: str | None = None) -> Callable[[dict[str, Any]], bool]:
    """A predicate of state updates: `state` (a `state_path`) changed, or its `var` did."""

    def matches(update: dict[str, Any]) -> bool:
        changes = (update.get("delta") or {}).get(state)
        return changes is not None and (var is None or f"{var}_rx_state_" in changes)

    return matches


def filled(state: str, var: str) -> Callable[[dict[str, Any]], bool]:
    """A predicate of state updates: `state`'s `var` was sent, not empty. A state a page first
    reads goes out whole, its lists still empty, before the page's on_load has filled them."""

    def matches(update: dict[str, Any]) -> bool:
        return bool(((update.get("delta") or {}).get(state) or {}).get(f"{var}_rx_state_"))

    return matches


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
    frames: list[str] = field(default_factory=list)
    """Every Engine.IO packet the server sent after the handshakes, as received."""
    page_loads: list[str] = field(default_factory=list)
    """The URLs the server asked this tab to load as whole pages (a `page_load` var set)."""
    origin: str | None = None
    """The Origin header of the handshake (a browser sends the page's own); none when None."""
    headers: dict[str, str] = field(default_factory=dict)
    """More handshake headers, such as the `X-Forwarded-For` a reverse proxy adds."""
    local_address: str | None = None
    """The source address of the socket (127.0.0.N: another visitor, as a reverse proxy sees it)."""

    def __post_init__(self) -> None:
        self._sio = self._new_socket()
        self._arrived = asyncio.Event()

    def _new_socket(self) -> socketio.AsyncClient:
        options: dict[str, Any] = {}
        if self.local_address is not None:
            import aiohttp

            connector = aiohttp.TCPConnector(local_addr=(self.local_address, 0))
            options["http_session"] = aiohttp.ClientSession(connector=connector)
        sio = socketio.AsyncClient(reconnection=False, logger=False, engineio_logger=False, **options)
        sio.on("event", self._on_update, namespace=EVENT_PATH)
        sio.on("connect_error", self._on_connect_error, namespace=EVENT_PATH)
        receive = sio.eio._receive_packet

        async def recording(pkt: Any) -> None:
            self.frames.append(pkt.encode() if not isinstance(pkt.data, bytes) else repr(pkt.data))
            await receive(pkt)

        sio.eio._receive_packet = recording  # type: ignore[method-assign]
        return sio

    # -- connection ---------------------------------------------------------------------------------

    async def connect(self, path: str = "/", *, settle: float = 0.5, timeout: float = 15) -> None:
        """Open the socket with the hydrate event in the CONNECT packet, as the frontend does."""
        self.path = path
        hydrate = self._event(f"{ROOT_STATE}.hydrate_and_load", {})
        self.sent.append(Sent(time.perf_counter(), hydrate["name"]))
        headers = dict(self.headers)
        if self.cookies:
            headers["Cookie"] = self.cookie_header
        if self.origin is not None:
            headers["Origin"] = self.origin
        await open_socket(
            self._sio, self.base_url, token=self.token, headers=headers, hydrate=hydrate, timeout=timeout
        )
        await self.wait_idle(settle=settle, timeout=timeout)

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    async def load_page(self, url: str, *, settle: float = 0.5, timeout: float = 15) -> httpx.Response:
        """A whole-page navigation: GET `url` with the cookies, follow the redirects keeping
        what `Set-Cookie` says, then open a new socket on the page reached (same tab token).

        Returns:
            The first response (the session routes' 303 and its `Set-Cookie`).
        """
        first: httpx.Response | None = None
        target = urljoin(self.base_url + "/", url)
        async with httpx.AsyncClient(timeout=timeout) as client:
            for _ in range(5):
                headers = {"Cookie": self.cookie_header} if self.cookies else {}
                response = await client.get(target, headers=headers)
                first = first or response
                for header in response.headers.get_list("set-cookie"):
                    self._store_cookie(header)
                if response.status_code not in (301, 302, 303, 307, 308):
                    break
                target = urljoin(target, response.headers["location"])
        assert first is not None
        parts = urlsplit(target)
        await self.close()
        self._sio = self._new_socket()
        # The static server adds a trailing slash (/tableau-de-bord/); the app's routes have none.
        path = (parts.path.rstrip("/") or "/") + (f"?{parts.query}" if parts.query else "")
        await self.connect(path, settle=settle, timeout=timeout)
        return first

    async def follow_page_load(self, *, settle: float = 0.5, timeout: float = 15) -> httpx.Response:
        """Load the last URL the server asked for (a login's ticket, a logout's route)."""
        assert self.page_loads, "the server asked for no page load"
        return await self.load_page(self.page_loads[-1], settle=settle, timeout=timeout)

    def _store_cookie(self, header: str) -> None:
        jar: SimpleCookie = SimpleCookie()
        jar.load(header)
        for name, morsel in jar.items():
            if morsel["max-age"] in ("0", 0) or not morsel.value:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value

    async def close(self) -> None:
        if self._sio.connected:
            await self._sio.disconnect()
        session = getattr(self._sio.eio, "http", None)
        if self.local_address is not None and session is not None and not session.closed:
            await session.close()

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

    async def post(self, name: str, payload: dict[str, Any] | None = None) -> None:
        """Send one event without waiting for an answer (an event that changes nothing gets
        none). The server handles a tab's events in order: `wait_idle` afterwards."""
        await self._emit(self._event(name, payload or {}))

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

    async def _emit(self, event: dict[str, Any]) -> None:
        if not self._sio.connected:
            self.errors.append(f"socket fermé avant l'envoi de {event['name']}")
            return
        self.sent.append(Sent(time.perf_counter(), event["name"]))
        await self._sio.emit("event", event, namespace=EVENT_PATH)

    async def _emit_navigation_events(self) -> None:
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
            url = changes.get(PAGE_LOAD_VAR)
            if url and (not self.page_loads or self.page_loads[-1] != url):
                self.page_loads.append(url)
        self._arrived.set()
        for event in update.get("events") or []:
            await self._play(event)

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
