"""One gate for every event handler that reads or writes private data.

Any websocket client can call any handler with any arguments. The gate:

- refuses arguments that do not fit the handler's signature, before any lookup;
- asks the database who is behind the session cookie (insured or agent);
- without a live session: logs `access_refused` with the handler's name, lets the
  state forget what it showed (`_forget`) and redirects to the right login page;
- turns a database error into the French "service unavailable" message
  (`_show_unavailable`), anywhere in the handler.

The gated handler receives the session's account id (insured) or agent id as
its first argument after `self`; the browser never sends it:

    @rx.event
    @insured_handler
    async def load(self, account_id: int):
        self.payments = await in_session(payments_for, account_id=account_id)

A handler whose first step is a read gives it to the gate (`@insured_handler(read=...)`): the
session check and that read then share one transaction and one trip to a worker thread, and the
handler receives the read's result after the account id. The read gets the live session's row
(`web_session`) and runs only when the session is live:

    @rx.event
    @insured_handler(read=situation_of)
    async def load(self, account_id: int, situation: OverlapSituation): ...

Not gated: the two login forms (no session yet), the two logouts (they end the
session whatever it is), the selection's `choose` / `next_step`, which touch
only this tab's state (`confirm` re-checks everything).
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import reflex as rx
from sqlalchemy.exc import SQLAlchemyError

from rxapp import routes
from rxapp.db import EVENT_SQL, SQL_SOURCE, session_scope
from rxapp.observability.visitor import visitor_address
from rxapp.services.audit import ACCESS_REFUSED, security_event

SERVICE_UNAVAILABLE = "Service momentanément indisponible. Réessayez dans quelques instants."

logger = logging.getLogger(__name__)

T = TypeVar("T")
Handler = Callable[..., Awaitable[Any]]


def _in_scope(work: Callable[..., T], arguments: dict[str, Any]) -> T:
    source = SQL_SOURCE.set(EVENT_SQL)  # counted apart: what the event handlers cost in SQL
    try:
        with session_scope() as session:
            return work(session=session, **arguments)
    finally:
        SQL_SOURCE.reset(source)


async def in_session(work: Callable[..., T], /, **arguments: Any) -> T:
    """Run a service function in a worker thread, in a transaction of its own.

    Args:
        work: a service function taking a keyword-only `session`.
        **arguments: its other keyword arguments.

    Returns:
        What the service returned, once its transaction has committed.

    Raises:
        SQLAlchemyError: the database did not answer (the gate shows the French message).
    """
    return await asyncio.to_thread(_in_scope, work, arguments)


def log_refused(state: rx.State, handler: str, *, kind: str, had_session: bool) -> None:
    """Log a handler refused for want of a live session of the right kind.

    Args:
        state: the state whose handler was called.
        handler: the handler's name, as the browser calls it.
        kind: "insured" or "agent".
        had_session: whether a (dead or forged) session id was sent at all.
    """
    security_event(
        ACCESS_REFUSED,
        level=logging.WARNING if had_session else logging.INFO,
        action=f"{type(state).__name__}.{handler}",
        kind=kind,
        reason="invalid_session" if had_session else "no_session",
        client_ip=visitor_address(state.router) or None,
    )


Outage = Callable[[Any], None]


Read = Callable[..., Any]
Owner = Callable[[Any, str, Read | None], Awaitable[Any]]


def _gate(login_route: str, owner: Owner):
    def decorate(handler: Handler, on_outage: Outage | None, read: Read | None) -> Handler:
        name = handler.__name__
        signature = inspect.signature(handler)
        self_parameter, *given = signature.parameters.values()
        hidden, parameters = (given[:2], given[2:]) if read is not None else (given[:1], given[1:])
        public = signature.replace(parameters=[self_parameter, *parameters])

        @functools.wraps(handler)
        async def gated(self: Any, *args: Any, **kwargs: Any) -> Any:
            public.bind(self, *args, **kwargs)  # TypeError for forged arguments, before any lookup
            try:
                # The identity, or (identity, what `read` returned) when the handler gave a read.
                found = await owner(self, name, read)
                if found is None:
                    self._forget()
                    return rx.redirect(login_route)
                hidden_arguments = (found,) if read is None else found
                return await handler(self, *hidden_arguments, *args, **kwargs)
            except SQLAlchemyError as error:
                logger.warning("%s.%s: database error %s", type(self).__name__, name, type(error).__name__)
                (on_outage or type(self)._show_unavailable)(self)
                return None

        # What Reflex (and any client) sees: the handler's own arguments, without the identity.
        gated.__signature__ = public  # type: ignore[attr-defined]
        hidden_names = {parameter.name for parameter in hidden}
        gated.__annotations__ = {
            key: value for key, value in handler.__annotations__.items() if key not in hidden_names
        }
        return gated

    def gate(
        handler: Handler | None = None, *, on_outage: Outage | None = None, read: Read | None = None
    ) -> Any:
        """Gate a handler (see the module docstring); `@gate`, `@gate(on_outage=...)`, `@gate(read=...)`.

        Args:
            handler: the handler; its first argument after `self` receives the session's
                account id (insured) or agent id, and the next one what `read` returned.
            on_outage: what the state shows on a database error, instead of its `_show_unavailable`.
            read: a service function (keyword-only `session` and `web_session`) run in the
                session check's own transaction, once the session is known to be live.
        """
        if handler is None:
            return lambda handler: decorate(handler, on_outage, read)
        return decorate(handler, on_outage, read)

    return gate


async def _account_owner(state: Any, handler: str, read: Read | None) -> Any:
    if read is None:
        return await state._current_account_id(handler)
    return await state._current_account_and(handler, read)


async def _agent_owner(state: Any, handler: str, read: Read | None) -> int | None:
    if read is not None:
        raise TypeError("agent_handler takes no read")
    return await state._current_agent_id(handler)


insured_handler = _gate(routes.LOGIN, _account_owner)
agent_handler = _gate(routes.ADMIN_LOGIN, _agent_owner)
