"""The insured login form."""

from __future__ import annotations

from typing import Any

import reflex as rx
from sqlmodel import Session

from rxapp import routes
from rxapp.services import auth
from rxapp.services.franceconnect import REFUSALS
from rxapp.state.auth import AuthState
from rxapp.state.login_ticket import login_ticket


def _open_session(session: Session, nir: str, code: str, client_ip: str) -> auth.OpenedSession:
    return auth.login_insured(session=session, nir=nir, code=code, client_ip=client_ip)


class LoginState(AuthState):
    error: str = ""

    @rx.var(cache=False)
    def franceconnect_error(self) -> str:
        """The French message of a refused FranceConnect login (`/?franceconnect=<reason>`)."""
        reason = self.router.url.query_parameters.get("franceconnect", "")
        return REFUSALS.get(reason, "")

    @rx.event
    async def submit(self, form_data: dict[str, Any]):
        """Check the NIR and code; the code is never kept in state.

        On success the browser loads the ticket's URL as a whole page: the server
        answers there with the HttpOnly cookie and sends it on to the dashboard.
        """
        ticket = await login_ticket(
            self, form_data, ("nir", "code"), _open_session, bad_credentials=auth.BAD_CREDENTIALS
        )
        if ticket is not None:
            self.page_load = routes.open_session_url(ticket)
