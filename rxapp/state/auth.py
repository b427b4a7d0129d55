"""The base states: the insured session cookie and the agent one, each re-checked server-side."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import sys

import reflex as rx
from sqlalchemy.exc import SQLAlchemyError

from rxapp import routes
from rxapp.db import session_scope
from rxapp.observability.visitor import visitor_address
from rxapp.services import auth, medialog
from rxapp.services.audit import ACCESS_REFUSED, security_event

SESSION_COOKIE = "ameli_session"
SERVICE_UNAVAILABLE = "Service momentanément indisponible. Réessayez dans quelques instants."


def _refused(state: rx.State, kind: str, had_session: bool) -> None:
    """Log an event handler refused for want of a live session of the right kind.

    The handler is the first public function up the stack from the gate
    (`_current_account_id` / `_current_agent_id`).
    """
    frame = sys._getframe(2)
    while frame.f_back is not None and frame.f_code.co_name.startswith("_"):
        frame = frame.f_back  # a private helper (e.g. `_act`): name the handler that called it
    handler = frame.f_code.co_name
    security_event(
        ACCESS_REFUSED,
        level=logging.WARNING if had_session else logging.INFO,
        action=f"{type(state).__name__}.{handler}",
        kind=kind,
        reason="invalid_session" if had_session else "no_session",
        client_ip=visitor_address(state.router) or None,
    )


def _account_id_for(session_id: str) -> int | None:
    with session_scope() as session:
        account = auth.account_for_session(session=session, session_id=session_id)
        return account.id if account else None


def _end(session_id: str) -> str | None:
    with session_scope() as session:
        return auth.end_session(session=session, session_id=session_id)


class AuthState(rx.State):
    """Holds only the opaque session id; every handler asks the database who it is."""

    session_id: str = rx.Cookie("", name=SESSION_COOKIE, same_site="strict", max_age=8 * 3600)

    async def _current_account_id(self) -> int | None:
        """The account of the live session, or None (expired, revoked, forged)."""
        session_id = self.session_id
        account_id = None
        if isinstance(session_id, str) and session_id:
            account_id = await asyncio.to_thread(_account_id_for, session_id)
        if account_id is None:
            _refused(self, "insured", had_session=bool(session_id))
        return account_id

    @rx.event
    async def logout(self):
        """Se déconnecter: revoke the session server-side, then forget the cookie.

        A session opened through FranceConnect ends the FranceConnect session too: the
        browser goes to its end_session endpoint, which sends it back to the login page.
        """
        from rxapp.api.franceconnect import logout_url  # the API module imports this one

        franceconnect_logout = None
        if self.session_id:
            try:
                id_token = await asyncio.to_thread(_end, self.session_id)
            except SQLAlchemyError as error:
                # The cookie is dropped anyway; the session dies at its idle timeout.
                agent_logger.warning("Session not revoked, database error: %s", type(error).__name__)
                id_token = None
            if id_token:
                franceconnect_logout = await logout_url(id_token=id_token, base_url=self.router.url.origin)
        self.session_id = ""
        yield rx.remove_cookie(SESSION_COOKIE)
        yield rx.redirect(franceconnect_logout or routes.LOGIN)


# --- Medialog+ agents ---------------------------------------------------------------------

AGENT_SESSION_COOKIE = "medialog_session"

agent_logger = logging.getLogger("rxapp.state.auth")


@dataclasses.dataclass(frozen=True)
class AgentIdentity:
    """Who is behind a live agent session, for the handlers and the header."""

    agent_id: int
    name: str
    cpam: str


def _agent_identity_for(session_id: str) -> AgentIdentity | None:
    with session_scope() as session:
        agent = auth.agent_for_session(session=session, session_id=session_id)
        if agent is None or agent.id is None:
            return None
        profile = medialog.agent_profile(session=session, agent=agent)
        return AgentIdentity(profile.agent_id, profile.name, profile.cpam)


class AgentAuthState(rx.State):
    """The base of every back-office state: its own cookie, never the insured's.

    Holds only the opaque agent session id; every handler asks the database who
    the agent is (`auth.agent_for_session` refuses insured sessions).
    """

    agent_session_id: str = rx.Cookie("", name=AGENT_SESSION_COOKIE, same_site="strict", max_age=8 * 3600)
    agent_name: str = ""
    agent_cpam: str = ""

    async def _current_agent_id(self) -> int | None:
        """The agent of the live session, or None (none, expired, revoked, forged).

        Also refreshes the name and CPAM the header shows.

        Raises:
            SQLAlchemyError: the database did not answer; callers show a French message.
        """
        session_id = self.agent_session_id
        identity = None
        if isinstance(session_id, str) and session_id:
            identity = await asyncio.to_thread(_agent_identity_for, session_id)
        self.agent_name = identity.name if identity else ""
        self.agent_cpam = identity.cpam if identity else ""
        if identity is None:
            _refused(self, "agent", had_session=bool(session_id))
        return identity.agent_id if identity else None

    async def _forget_agent_data(self) -> None:
        """Empty every back-office state of this tab (another agent may use it next)."""
        for substate_cls in type(self).get_substates():
            substate = await self.get_state(substate_cls)
            substate.reset()

    @rx.event
    async def logout_agent(self):
        """Se déconnecter: revoke the agent session server-side, then forget the cookie."""
        if isinstance(self.agent_session_id, str) and self.agent_session_id:
            try:
                await asyncio.to_thread(_end, self.agent_session_id)
            except SQLAlchemyError as error:
                # The cookie is dropped anyway; the session dies at its idle timeout.
                agent_logger.warning("Agent session not revoked, database error: %s", type(error).__name__)
        await self._forget_agent_data()
        self.agent_session_id = ""
        self.agent_name = ""
        self.agent_cpam = ""
        yield rx.remove_cookie(AGENT_SESSION_COOKIE)
        yield rx.redirect(routes.ADMIN_LOGIN)
