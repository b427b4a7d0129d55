"""GET /api/releves/{payment_id}.pdf: the statement of a non-transmitted payment."""

from __future__ import annotations

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from rxapp import routes
from rxapp.api.insured_files import insured_pdf
from rxapp.services.payments import STATEMENT_NOT_FOUND, statement_pdf

NOT_SIGNED_IN = "Connectez-vous à votre compte ameli pour télécharger ce relevé."
NOT_FOUND = STATEMENT_NOT_FOUND


async def download_statement(request: Request) -> Response:
    """Send the PDF as an attachment.

    401 without a live session, 404 for a payment that is not the account's
    or has no statement, 503 when the database does not answer.
    """
    payment_id: int = request.path_params["payment_id"]

    def build(session: Session, account_id: int) -> tuple[str, bytes] | None:
        try:
            return statement_pdf(session=session, account_id=account_id, payment_id=payment_id)
        except LookupError:
            return None

    return await insured_pdf(
        request,
        build,
        action="download_statement",
        not_signed_in=NOT_SIGNED_IN,
        not_found=NOT_FOUND,
        payment_id=payment_id,
    )


statement_routes: list[Route] = [
    Route(f"{routes.STATEMENT_PREFIX}/{{payment_id:int}}.pdf", download_statement, methods=["GET"]),
]
