"""The insured login form."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import reflex as rx
from sqlalchemy.exc import SQLAlchemyError

from rxapp import routes
from rxapp.db import session_scope
from rxapp.observability.visitor import visitor_address
from rxapp.services import auth, tickets
from rxapp.state.auth import AuthState
from rxapp.state.forms import credentials, refuse_input
from rxapp.state.gate import SERVICE_UNAVAILABLE

logger = logging.getLogger(__name__)

# argon2 costs ~0.26 s of CPU per login. Logins get threads of their own: a burst of them
# queues here instead of filling the default pool (6 threads) that every other handler's
# database read waits for, in order (bench/OPTIMISATIONS.md).
_LOGIN_THREADS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="login")


def _login(nir: str, code: str, client_ip: str) -> str:
    """The login's single-use ticket (the session id itself never leaves the server here)."""
    with session_scope() as session:
        try:
            opened = auth.login_insured(session=session, nir=nir, code=code, client_ip=client_ip)
            return tickets.issue_ticket(session=session, session_id=opened.session_id)
        except auth.LoginRefused:
            session.commit()  # the failure counts, even though the login is refused
            raise


class LoginState(AuthState):
    error: str = ""

    @rx.event
    async def submit(self, form_data: dict[str, Any]):
        """Check the NIR and code; the code is never kept in state.

        On success the browser loads the ticket's URL as a whole page: the server
        answers there with the HttpOnly cookie and sends it on to the dashboard.
        """
        typed = credentials(form_data, "nir", "code")
        if typed is None:
            refuse_input(self, "submit", "malformed_form")
            self.error = auth.BAD_CREDENTIALS
            return
        try:
            ticket = await asyncio.get_running_loop().run_in_executor(
                _LOGIN_THREADS, _login, typed.login, typed.secret, visitor_address(self.router)
            )
        except auth.LoginRefused as refusal:
            self.error = str(refusal)
            return
        except SQLAlchemyError as error:
            # Only the error's class is logged: its text could quote the NIR.
            logger.error("Login impossible, database error: %s", type(error).__name__)
            self.error = SERVICE_UNAVAILABLE
            return
        self.error = ""
        self.page_load = routes.open_session_url(ticket)
