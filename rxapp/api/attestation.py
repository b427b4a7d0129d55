"""GET /api/attestation-de-droits.pdf: the signed-in insured's attestation de droits, made on demand."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from rxapp import routes
from rxapp.api.insured_files import insured_pdf
from rxapp.services.attestation import ATTESTATION_NOT_FOUND, rights_attestation_pdf
from rxapp.services.formatting import PARIS
from rxapp.settings import get_settings

NOT_SIGNED_IN = "Connectez-vous à votre compte ameli pour télécharger votre attestation de droits."
NOT_FOUND = ATTESTATION_NOT_FOUND


async def download_attestation(request: Request) -> Response:
    """Send the attestation, dated today (Paris time), as an attachment.

    401 without a live session, 503 when the database does not answer.
    """
    secret = get_settings().secret_key

    def build(session: Session, account_id: int) -> tuple[str, bytes] | None:
        try:
            return rights_attestation_pdf(
                session=session, account_id=account_id, issued_on=datetime.now(PARIS).date(), secret=secret
            )
        except LookupError:
            return None

    return await insured_pdf(
        request,
        build,
        action="download_attestation",
        not_signed_in=NOT_SIGNED_IN,
        not_found=NOT_FOUND,
    )


attestation_routes: list[Route] = [Route(routes.ATTESTATION_PDF, download_attestation, methods=["GET"])]
