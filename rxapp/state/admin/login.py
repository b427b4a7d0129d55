"""The agents' login form."""

from __future__ import annotations

import logging
from typing import Any

import reflex as rx
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from rxapp import routes
from rxapp.observability.visitor import visitor_address
from rxapp.services import auth, tickets
from rxapp.state.auth import AgentAuthState
from rxapp.state.forms import credentials, refuse_input
from rxapp.state.gate import SERVICE_UNAVAILABLE, in_session

logger = logging.getLogger(__name__)


def _login(*, session: Session, login: str, password: str, client_ip: str) -> str:
    """The login's single-use ticket (the session id itself never leaves the server here)."""
    try:
        opened = auth.login_agent(session=session, login=login, password=password, client_ip=client_ip)
    except auth.LoginRefused:
        session.commit()  # the failure counts (throttling), even though the login is refused
        raise
    return tickets.issue_ticket(session=session, session_id=opened.session_id)


class AgentLoginState(AgentAuthState):
    """The agents' login form."""

    error: str = ""

    @rx.event
    async def submit(self, form_data: dict[str, Any]):
        """Check the login and password; the password is never kept in state.

        On success the browser loads the ticket's URL as a whole page: the server
        answers there with the HttpOnly cookie and sends it on to the queue.
        """
        typed = credentials(form_data, "login", "password")
        if typed is None:
            refuse_input(self, "submit", "malformed_form")
            self.error = auth.BAD_AGENT_CREDENTIALS
            return
        try:
            ticket = await in_session(
                _login,
                login=typed.login,
                password=typed.secret,
                client_ip=visitor_address(self.router),
            )
        except auth.LoginRefused as refusal:
            self.error = str(refusal)
            return
        except SQLAlchemyError as error:
            logger.error("Agent login impossible, database error: %s", type(error).__name__)
            self.error = SERVICE_UNAVAILABLE
            return
        # Whatever this tab showed before belongs to whoever used it before.
        await self._forget_agent_data()
        self.page_load = routes.open_session_url(ticket, agent=True)
