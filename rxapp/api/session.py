"""The session cookies, set and expired by the server in `Set-Cookie` headers.

A login handler hands the browser a single-use ticket (services/tickets.py); the
browser loads `OPEN_SESSION?ticket=...` as a whole page, and this route answers
with the HttpOnly cookie and a 303 to the dashboard (or the agents' queue). The
session id therefore never travels over the websocket and no script can read it.
Logout revokes the session in its handler, then loads `CLOSE_SESSION`, which
expires the cookie and sends the browser back to the login page.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from rxapp import routes
from rxapp.db import session_scope
from rxapp.models import SessionKind
from rxapp.services.audit import TICKET_REFUSED, security_event
from rxapp.services.auth import ABSOLUTE_TIMEOUT
from rxapp.services.tickets import redeem_ticket
from rxapp.settings import AppEnv, get_settings

SESSION_COOKIE = "ameli_session"
AGENT_SESSION_COOKIE = "medialog_session"
COOKIE_MAX_AGE = int(ABSOLUTE_TIMEOUT.total_seconds())

logger = logging.getLogger(__name__)


def _redeem(ticket: str, kind: SessionKind) -> str | None:
    with session_scope() as session:
        return redeem_ticket(session=session, ticket=ticket, kind=kind)


def _see_other(location: str) -> RedirectResponse:
    return RedirectResponse(location, status_code=303, headers={"Cache-Control": "no-store"})


def _with_cookie(response: RedirectResponse, name: str, value: str, max_age: int) -> RedirectResponse:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        secure=get_settings().app_env is AppEnv.PRODUCTION,
        httponly=True,
        samesite="strict",
    )
    return response


def _opener(kind: SessionKind, cookie: str, landing: str, login: str):
    async def open_session(request: Request) -> RedirectResponse:
        """Exchange the ticket for the cookie: 303 to `landing`, or to `login` and nothing set."""
        ticket = request.query_params.get("ticket", "")
        try:
            session_id = await run_in_threadpool(_redeem, ticket, kind)
        except SQLAlchemyError as error:
            logger.warning("Ticket not redeemed, database error: %s", type(error).__name__)
            session_id = None
        if session_id is None:
            security_event(
                TICKET_REFUSED,
                kind=kind.value,
                reason="used_expired_or_unknown" if ticket else "missing",
                client_ip=request.client.host if request.client else None,
            )
            return _see_other(login)
        return _with_cookie(_see_other(landing), cookie, session_id, COOKIE_MAX_AGE)

    return open_session


def _closer(cookie: str, login: str):
    async def close_session(request: Request) -> RedirectResponse:
        """Expire the cookie (the handler has revoked the session) and go back to the login page."""
        return _with_cookie(_see_other(login), cookie, "", 0)

    return close_session


session_routes: list[Route] = [
    Route(
        routes.OPEN_SESSION,
        _opener(SessionKind.INSURED, SESSION_COOKIE, routes.DASHBOARD, routes.LOGIN),
        methods=["GET"],
    ),
    Route(
        routes.OPEN_AGENT_SESSION,
        _opener(SessionKind.AGENT, AGENT_SESSION_COOKIE, routes.ADMIN_QUEUE, routes.ADMIN_LOGIN),
        methods=["GET"],
    ),
    Route(routes.CLOSE_SESSION, _closer(SESSION_COOKIE, routes.LOGIN), methods=["GET"]),
    Route(routes.CLOSE_AGENT_SESSION, _closer(AGENT_SESSION_COOKIE, routes.ADMIN_LOGIN), methods=["GET"]),
]
