"""Reflex's socket.io namespace with the event budgets in front of it.

Reflex 0.10 builds its `EventNamespace` in `App._setup_state` from the name in
`reflex.app`; `install_event_guard()` puts this subclass there before the app is
created. Every packet then meets `EventGuard` before Reflex parses it into an
event, resolves its handler or loads any state, and a socket that keeps going
over its budget is closed (socket.io DISCONNECT, then the engine.io socket).
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from reflex.app import EventNamespace

from rxapp.abuse.guard import EventGuard, Verdict
from rxapp.instances import release_orphaned_token

logger = logging.getLogger(__name__)


SETTER_PREFIX = "set_"


def _registered_handlers() -> Any:
    """The app's event handlers by name, or None when Reflex's registry is not reachable here."""
    try:
        from reflex_base.registry import RegistrationContext

        return RegistrationContext.get().event_handlers
    except (ImportError, LookupError):
        return None


def refusal_before_state(name: str, payload: dict) -> str | None:
    """Why Reflex would fail this event anyway, found without loading any state.

    Returns:
        "unknown_handler" for a name no handler has (Reflex would log the whole packet
        with a traceback), "unknown_var" for a `setvar` of a var without a setter (it
        would load the tab's state, then raise), None otherwise.
    """
    handlers = _registered_handlers()
    if handlers is None:
        return None
    registered = handlers.get(name)
    if registered is None:
        return "unknown_handler"
    if name.endswith(".setvar"):
        var_name = payload.get("var_name")
        if not isinstance(var_name, str) or not callable(
            getattr(registered.states[0], SETTER_PREFIX + var_name, None)
        ):
            return "unknown_var"
    return None


@functools.cache
def _refusal_update() -> Any:
    """The update answering a refused packet: always the same toast (its id is fixed), built once
    (built for each refusal, Reflex's var machinery cost a flood a sixth of its server time)."""
    from reflex.state import StateUpdate
    from reflex_base.event import Event

    from rxapp.state.errors import unexpected_error

    return StateUpdate(events=Event.from_event_type(unexpected_error()))


class GuardedEventNamespace(EventNamespace):
    """`EventNamespace` whose connections and events go through the process's `EventGuard`."""

    @property
    def guard(self) -> EventGuard:
        from rxapp.abuse import event_guard

        return event_guard()

    async def on_connect(self, sid: str, environ: dict, auth: Any = None):
        """Refuse the socket when its address is over budget; otherwise Reflex's connect."""
        import urllib.parse

        import socketio

        token = (urllib.parse.parse_qs(environ.get("QUERY_STRING", "")).get("token") or [None])[0]
        if not await self.guard.admit_connection(sid, environ, token):
            raise socketio.exceptions.ConnectionRefusedError("budget")
        try:
            # A tab whose instance was killed comes back with its state, not as a duplicate tab.
            await release_orphaned_token(self._token_manager, token)
            return await super().on_connect(sid, environ, auth)
        except Exception:
            self.guard.forget(sid)
            raise

    def on_disconnect(self, sid: str, *args: Any):
        """Reflex's disconnect, after the guard wrote the count of the socket's last refusals."""
        self.guard.forget(sid)
        return super().on_disconnect(sid)

    async def on_event(self, sid: str, data: Any = None, *_extra: Any):
        """Hand the event to Reflex only when it fits the budgets; close a socket that keeps flooding."""
        if sid not in self.sid_to_token:
            # Reflex would log the whole packet; a socket without a tab token sends nothing real.
            return
        verdict = await self.guard.admit_event(sid, data, refusal_before_state)
        if verdict is Verdict.ADMIT:
            try:
                await super().on_event(sid, data)
            except (TypeError, ValueError, AttributeError, LookupError) as error:
                # Reflex could not make an event of the packet (e.g. router_data of the wrong type):
                # refused like any malformed packet, instead of a traceback in the server's output.
                self.guard.refuse_packet(sid, "malformed", data, type(error).__name__)
                await self.answer_refusal(sid)
        elif verdict is Verdict.REFUSE:
            await self.answer_refusal(sid)
        elif verdict is Verdict.CLOSE:
            await self.close(sid)

    async def answer_refusal(self, sid: str) -> None:
        """What a failed handler answers (the French toast), so the tab is not left waiting."""
        from reflex.constants import SocketEvent

        await self.emit(str(SocketEvent.EVENT), _refusal_update(), to=sid)

    async def close(self, sid: str) -> None:
        """Close the socket: the namespace (the client is told), then the engine.io connection."""
        server = self.server
        eio_sid = server.manager.eio_sid_from_sid(sid, self.namespace)
        await self.disconnect(sid)
        if eio_sid is not None:
            await server.eio.disconnect(eio_sid)


class WithoutClientValues(logging.Filter):
    """Drops Reflex's warning that quotes an argument it could not convert (any size, once per
    event): the handler's own validation, or `rxapp.abuse.faults`, reports the event instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Error transforming event payload")


def install_event_guard() -> None:
    """Make Reflex build its event namespace from `GuardedEventNamespace` (before `rx.App(...)`)."""
    import reflex.app

    reflex.app.EventNamespace = GuardedEventNamespace  # type: ignore[misc]
    processor_logger = logging.getLogger("reflex_base.event.processor.base_state_processor")
    if not any(isinstance(f, WithoutClientValues) for f in processor_logger.filters):
        processor_logger.addFilter(WithoutClientValues())
