"""The login forms' one flow, for insured persons and agents: typed credentials in, a ticket out.

The session id itself never leaves the server: the browser gets a single-use ticket
(`services.tickets`) and loads its URL as a whole page, where the server answers with the
HttpOnly cookie.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from rxapp.db import session_scope
from rxapp.observability.visitor import visitor_address
from rxapp.services import auth, tickets
from rxapp.state.forms import credentials, refuse_input
from rxapp.state.gate import SERVICE_UNAVAILABLE

logger = logging.getLogger(__name__)

# argon2 costs ~0.26 s of CPU per login. Logins get threads of their own: a burst of them
# queues here instead of filling the default pool (6 threads) that every other handler's
# database read waits for, in order (bench/OPTIMISATIONS.md).
_LOGIN_THREADS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="login")

# (session, login, secret, client address) -> the session opened, or auth.LoginRefused.
OpenSession = Callable[[Session, str, str, str], auth.OpenedSession]


class LoginForm(Protocol):
    """A login form's state: a French error under the form."""

    error: str
    router: Any


def _issue_ticket(open_session: OpenSession, login: str, secret: str, client_ip: str) -> str:
    with session_scope() as session:
        try:
            opened = open_session(session, login, secret, client_ip)
        except auth.LoginRefused:
            session.commit()  # the failure counts (throttling), even though the login is refused
            raise
        return tickets.issue_ticket(session=session, session_id=opened.session_id)


async def login_ticket(
    state: LoginForm,
    form_data: object,
    fields: tuple[str, str],
    open_session: OpenSession,
    *,
    bad_credentials: str,
) -> str | None:
    """Check a login form and open a session: its ticket, or None with `state.error` set.

    Args:
        state: the form's state (a `rx.State`).
        form_data: what the form sent.
        fields: the names of the login and secret fields.
        open_session: checks the credentials and opens the session.
        bad_credentials: the message for a form that is not what the page sends.
    """
    typed = credentials(form_data, *fields)
    if typed is None:
        refuse_input(state, "submit", "malformed_form")
        state.error = bad_credentials
        return None
    try:
        ticket = await asyncio.get_running_loop().run_in_executor(
            _LOGIN_THREADS,
            _issue_ticket,
            open_session,
            typed.login,
            typed.secret,
            visitor_address(state.router),
        )
    except auth.LoginRefused as refusal:
        state.error = str(refusal)
        return None
    except SQLAlchemyError as error:
        # Only the error's class is logged: its text could quote the NIR or the login.
        logger.error("Login impossible, database error: %s", type(error).__name__)
        state.error = SERVICE_UNAVAILABLE
        return None
    state.error = ""
    return ticket
