"""GET /api/releves/{payment_id}.pdf: the statement of a non-transmitted payment.

A plain HTTP route, so that the browser downloads the file with a normal link.
The session cookie is checked against the database on every request, exactly
as the event handlers do.
"""

from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from rxapp import routes
from rxapp.api.session import SESSION_COOKIE
from rxapp.db import session_scope
from rxapp.observability.visitor import request_address
from rxapp.services import auth
from rxapp.services.audit import ACCESS_REFUSED, security_event
from rxapp.services.payments import statement_pdf
from rxapp.state.gate import SERVICE_UNAVAILABLE

NOT_SIGNED_IN = "Connectez-vous à votre compte ameli pour télécharger ce relevé."
NOT_FOUND = "Ce relevé n'existe pas ou n'est pas disponible."
# Ids are 32-bit integers in the database; a larger number names no payment.
MAX_ID = 2**31 - 1
NO_STORE = {"Cache-Control": "no-store"}


class _NotSignedIn(Exception):
    """No live insured session behind the cookie."""


def _statement_for(session_id: str, payment_id: int) -> tuple[str, bytes] | None:
    """The statement, or None when the account has no such statement.

    A missing statement is not an error for the transaction: the session's
    idle clock, restarted by the lookup, is committed either way.

    Raises:
        _NotSignedIn: the cookie names no live insured session.
    """
    with session_scope() as session:
        account = auth.account_for_session(session=session, session_id=session_id)
        if account is None or account.id is None:
            raise _NotSignedIn
        if payment_id > MAX_ID:
            return None
        try:
            return statement_pdf(session=session, account_id=account.id, payment_id=payment_id)
        except LookupError:
            return None


def _refused(request: Request, payment_id: int, reason: str) -> None:
    security_event(
        ACCESS_REFUSED,
        action="download_statement",
        reason=reason,
        payment_id=payment_id,
        client_ip=request_address(request) or None,
    )


async def download_statement(request: Request) -> Response:
    """Send the PDF as an attachment.

    401 without a live session, 404 for a payment that is not the account's
    or has no statement, 503 when the database does not answer.
    """
    session_id = request.cookies.get(SESSION_COOKIE, "")
    payment_id: int = request.path_params["payment_id"]
    if not session_id:
        _refused(request, payment_id, "no_session")
        return PlainTextResponse(NOT_SIGNED_IN, status_code=401, headers=NO_STORE)
    try:
        statement = await run_in_threadpool(_statement_for, session_id, payment_id)
    except _NotSignedIn:
        _refused(request, payment_id, "invalid_session")
        return PlainTextResponse(NOT_SIGNED_IN, status_code=401, headers=NO_STORE)
    except SQLAlchemyError:
        return PlainTextResponse(SERVICE_UNAVAILABLE, status_code=503, headers=NO_STORE)
    if statement is None:
        _refused(request, payment_id, "not_the_accounts")
        return PlainTextResponse(NOT_FOUND, status_code=404, headers=NO_STORE)
    filename, pdf = statement
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            **NO_STORE,
        },
    )


statement_routes: list[Route] = [
    Route(f"{routes.STATEMENT_PREFIX}/{{payment_id:int}}.pdf", download_statement, methods=["GET"]),
]
