"""The gate of the insured's file downloads (relevés, attestation de droits).

A plain HTTP route, so that the browser downloads the file with a normal link.
The session cookie is checked against the database on every request, exactly
as the event handlers do; a refusal goes to the security log.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from rxapp.api.session import SESSION_COOKIE
from rxapp.db import session_scope
from rxapp.observability.visitor import request_address
from rxapp.services import auth
from rxapp.services.audit import ACCESS_REFUSED, FieldValue, security_event
from rxapp.settings import get_settings
from rxapp.state.gate import SERVICE_UNAVAILABLE

NO_STORE = {"Cache-Control": "no-store"}

# Given the session and the signed-in account's id: (file name, PDF bytes), or None when
# the account has no such file.
FileBuilder = Callable[[Session, int], "tuple[str, bytes] | None"]


class _NotSignedIn(Exception):
    """No live insured session behind the cookie."""


def _file_for(session_id: str, build: FileBuilder) -> tuple[str, bytes] | None:
    """The file, or None when the account has no such file.

    A missing file is not an error for the transaction: the session's idle
    clock, restarted by the lookup, is committed either way.

    Raises:
        _NotSignedIn: the cookie names no live insured session.
    """
    with session_scope() as session:
        account = auth.account_for_session(
            session=session, session_id=session_id, idle_timeout=get_settings().idle_timeout
        )
        if account is None or account.id is None:
            raise _NotSignedIn
        return build(session, account.id)


async def insured_pdf(
    request: Request,
    build: FileBuilder,
    *,
    action: str,
    not_signed_in: str,
    not_found: str,
    **audit: FieldValue,
) -> Response:
    """Send the signed-in insured's PDF as an attachment.

    401 without a live session, 404 when `build` finds nothing for the account,
    503 when the database does not answer.

    Args:
        request: the HTTP request (its session cookie is checked).
        build: makes the file for the signed-in account.
        action: the name of the download in the security log.
        not_signed_in: the French answer without a live session.
        not_found: the French answer when there is no such file.
        audit: more fields for the security log (never personal data).
    """

    def refused(reason: str) -> None:
        # Behind trusted proxies only, the forwarded address (rxapp/observability/visitor.py).
        client_ip = request_address(request) or None
        security_event(
            ACCESS_REFUSED, level=logging.WARNING, action=action, reason=reason, client_ip=client_ip, **audit
        )

    session_id = request.cookies.get(SESSION_COOKIE, "")
    if not session_id:
        refused("no_session")
        return PlainTextResponse(not_signed_in, status_code=401, headers=NO_STORE)
    try:
        found = await run_in_threadpool(_file_for, session_id, build)
    except _NotSignedIn:
        refused("invalid_session")
        return PlainTextResponse(not_signed_in, status_code=401, headers=NO_STORE)
    except SQLAlchemyError:
        return PlainTextResponse(SERVICE_UNAVAILABLE, status_code=503, headers=NO_STORE)
    if found is None:
        refused("not_the_accounts")
        return PlainTextResponse(not_found, status_code=404, headers=NO_STORE)
    filename, pdf = found
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', **NO_STORE},
    )
