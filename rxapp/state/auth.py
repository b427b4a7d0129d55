"""The base states: the insured session cookie and the agent one, each re-checked server-side.

The cookies are HttpOnly, set and expired by HTTP routes (rxapp/api/session.py). The
backend reads them from the websocket handshake's Cookie header, which Reflex keeps
server-side (`router.headers.cookie` is never serialised to the browser); no state
variable holds a session id.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import secrets
from collections.abc import Callable
from datetime import timedelta
from http.cookies import CookieError, SimpleCookie
from typing import TypeVar

import reflex as rx
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from rxapp import routes
from rxapp.api.session import AGENT_SESSION_COOKIE, SESSION_COOKIE
from rxapp.services import auth, medialog
from rxapp.settings import get_settings
from rxapp.state.gate import in_session, log_refused

logger = logging.getLogger(__name__)
T = TypeVar("T")


def handshake_cookie(state: rx.State, name: str) -> str:
    """The value of cookie `name` in the websocket handshake of this tab, or "".

    Args:
        state: any state of the tab.
        name: the cookie's name.
    """
    header = state.router.headers.cookie
    if not header:
        return ""
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header)
    except CookieError:
        return ""
    morsel = jar.get(name)
    return morsel.value if morsel is not None else ""


def page_load_url(path: str) -> str:
    """`path` with a nonce: the navigation hop loads each URL once per tab (components/navigation.py)."""
    return f"{path}?n={secrets.token_urlsafe(8)}"


def idle_timeout() -> timedelta:
    """The idle expiry in force (SESSION_IDLE_TIMEOUT)."""
    return get_settings().idle_timeout


def _account_id_for(*, session: Session, session_id: str) -> int | None:
    web_session = auth.insured_session(session=session, session_id=session_id, idle_timeout=idle_timeout())
    return web_session.account_id if web_session else None


def _account_and_read(*, session: Session, session_id: str, read: Callable[..., T]) -> tuple[int, T] | None:
    """The live session's account id and what `read` returns, in one transaction; None without one."""
    web_session = auth.insured_session(session=session, session_id=session_id, idle_timeout=idle_timeout())
    if web_session is None or web_session.account_id is None:
        return None
    return web_session.account_id, read(session=session, web_session=web_session)


async def _session_owner(
    state: rx.State, session_id: object, lookup: Callable[..., T | None], handler: str, *, kind: str
) -> T | None:
    """Who is behind the session cookie (`lookup` in the database), or None, logged as refused."""
    owner = None
    if isinstance(session_id, str) and session_id:
        owner = await in_session(lookup, session_id=session_id)
    if owner is None:
        log_refused(state, handler, kind=kind, had_session=bool(session_id))
    return owner


class AuthState(rx.State):
    """Holds no session id: every handler asks the database who is behind the tab's cookie."""

    # A URL the browser must load as a whole page (the session routes set or expire the cookie).
    page_load: str = ""

    def _session_id(self) -> str:
        return handshake_cookie(self, SESSION_COOKIE)

    async def _current_account_id(self, handler: str) -> int | None:
        """The account of the live session, or None (expired, revoked, forged), logged as refused.

        Args:
            handler: the name of the handler asking, for the security log.

        Raises:
            SQLAlchemyError: the database did not answer; the gate shows a French message.
        """
        return await _session_owner(self, self._session_id(), _account_id_for, handler, kind="insured")

    async def _current_account_and(self, handler: str, read: Callable[..., T]) -> tuple[int, T] | None:
        """`_current_account_id`, and `read` run in the same transaction once the session is live.

        Args:
            handler: the name of the handler asking, for the security log.
            read: a service function taking keyword-only `session` and `web_session`.

        Raises:
            SQLAlchemyError: the database did not answer; the gate shows a French message.
        """
        lookup = functools.partial(_account_and_read, read=read)
        return await _session_owner(self, self._session_id(), lookup, handler, kind="insured")

    def _forget(self) -> None:
        """What a state forgets when its session is gone; each page state says what."""

    def _show_unavailable(self) -> None:
        """Show the database outage; each page state says where."""

    @rx.event
    async def logout(self):
        """Se déconnecter: revoke the session server-side, then load the route that expires the cookie.

        A session opened through FranceConnect ends the FranceConnect session too: the browser
        goes to its end_session endpoint, which sends it back to the route that expires the
        cookie (rxapp/api/franceconnect.py).
        """
        from rxapp.api.franceconnect import logout_url  # the API module imports this one

        session_id = self._session_id()
        franceconnect_logout = None
        if session_id:
            try:
                id_token = await in_session(auth.end_session, session_id=session_id)
            except SQLAlchemyError as error:
                # The cookie is expired anyway; the session dies at its idle timeout.
                logger.warning("Session not revoked, database error: %s", type(error).__name__)
                id_token = None
            if id_token:
                franceconnect_logout = await logout_url(id_token=id_token, base_url=self.router.url.origin)
        self.page_load = franceconnect_logout or page_load_url(routes.CLOSE_SESSION)


# --- Medialog+ agents ---------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class AgentIdentity:
    """Who is behind a live agent session, for the handlers and the header."""

    agent_id: int
    name: str
    cpam: str


def _agent_identity_for(*, session: Session, session_id: str) -> AgentIdentity | None:
    agent = auth.agent_for_session(session=session, session_id=session_id, idle_timeout=idle_timeout())
    if agent is None or agent.id is None:
        return None
    profile = medialog.agent_profile(session=session, agent=agent)
    return AgentIdentity(profile.agent_id, profile.name, profile.cpam)


class AgentAuthState(rx.State):
    """The base of every back-office state: its own cookie, never the insured's.

    Holds only the opaque agent session id; every handler asks the database who
    the agent is (`auth.agent_for_session` refuses insured sessions).
    """

    agent_name: str = ""
    agent_cpam: str = ""
    # A URL the browser must load as a whole page (the session routes set or expire the cookie).
    page_load: str = ""

    def _agent_session_id(self) -> str:
        return handshake_cookie(self, AGENT_SESSION_COOKIE)

    async def _current_agent_id(self, handler: str) -> int | None:
        """The agent of the live session, or None (none, expired, revoked, forged), logged as refused.

        Also refreshes the name and CPAM the header shows.

        Args:
            handler: the name of the handler asking, for the security log.

        Raises:
            SQLAlchemyError: the database did not answer; the gate shows a French message.
        """
        identity = await _session_owner(
            self, self._agent_session_id(), _agent_identity_for, handler, kind="agent"
        )
        self.agent_name = identity.name if identity else ""
        self.agent_cpam = identity.cpam if identity else ""
        return identity.agent_id if identity else None

    def _forget(self) -> None:
        """What a back-office state forgets when the session is gone; each page state says what."""

    def _show_unavailable(self) -> None:
        """Show the database outage; each page state says where."""

    async def _forget_agent_data(self) -> None:
        """Empty every back-office state of this tab (another agent may use it next)."""
        for substate_cls in type(self).get_substates():
            substate = await self.get_state(substate_cls)
            substate.reset()

    @rx.event
    async def logout_agent(self):
        """Se déconnecter: revoke the agent session server-side, then load the route that expires the cookie."""
        session_id = self._agent_session_id()
        if session_id:
            try:
                await in_session(auth.end_session, session_id=session_id)
            except SQLAlchemyError as error:
                # The cookie is expired anyway; the session dies at its idle timeout.
                logger.warning("Agent session not revoked, database error: %s", type(error).__name__)
        await self._forget_agent_data()
        self.agent_name = ""
        self.agent_cpam = ""
        self.page_load = page_load_url(routes.CLOSE_AGENT_SESSION)
