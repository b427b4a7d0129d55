"""The agents' login form."""

from __future__ import annotations

from typing import Any

import reflex as rx
from sqlmodel import Session

from rxapp import routes
from rxapp.services import auth
from rxapp.state.auth import AgentAuthState
from rxapp.state.login_ticket import login_ticket


def _open_session(session: Session, login: str, password: str, client_ip: str) -> auth.OpenedSession:
    return auth.login_agent(session=session, login=login, password=password, client_ip=client_ip)


class AgentLoginState(AgentAuthState):
    """The agents' login form."""

    error: str = ""

    @rx.event
    async def submit(self, form_data: dict[str, Any]):
        """Check the login and password; the password is never kept in state.

        On success the browser loads the ticket's URL as a whole page: the server
        answers there with the HttpOnly cookie and sends it on to the queue.
        """
        ticket = await login_ticket(
            self, form_data, ("login", "password"), _open_session, bad_credentials=auth.BAD_AGENT_CREDENTIALS
        )
        if ticket is None:
            return
        # Whatever this tab showed before belongs to whoever used it before.
        await self._forget_agent_data()
        self.page_load = routes.open_session_url(ticket, agent=True)
