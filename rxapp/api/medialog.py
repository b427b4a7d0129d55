"""The Medialog+ API: the worker creates affaires through it, with a service token."""

from __future__ import annotations

import hmac
import json
import logging

from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from rxapp.db import session_scope
from rxapp.services.medialog import AffaireCreated, create_affaire_for_request
from rxapp.settings import get_settings

security_log = logging.getLogger("rxapp.security")

MEDIALOG_PREFIX = "/api/medialog"
MAX_BODY = 4096
MAX_ID = 2**31 - 1


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"erreur": message}, status_code=status)


def _authorised(request: Request) -> bool:
    expected = f"Bearer {get_settings().medialog_api_token}".encode()
    given = request.headers.get("authorization", "").encode()
    return hmac.compare_digest(given, expected)


def _create(request_id: int) -> AffaireCreated:
    with session_scope() as session:
        return create_affaire_for_request(session=session, request_id=request_id)


async def create_affaire(request: Request) -> JSONResponse:
    """POST /api/medialog/affaires {"request_id": n}: 201 created, 200 already there (idempotent)."""
    if not _authorised(request):
        security_log.warning("Medialog+ API called without a valid service token from %s", request.client)
        return _error(401, "Jeton de service manquant ou invalide.")
    body = await request.body()
    if len(body) > MAX_BODY:
        return _error(413, "Requête trop volumineuse.")
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return _error(400, "Le corps de la requête doit être un objet JSON.")
    request_id = payload.get("request_id") if isinstance(payload, dict) else None
    if type(request_id) is not int or not 0 < request_id <= MAX_ID:
        return _error(422, "« request_id » doit être un entier positif.")
    try:
        created = await run_in_threadpool(_create, request_id)
    except LookupError:
        return _error(404, "Demande inconnue.")
    except SQLAlchemyError:
        return _error(503, "Service momentanément indisponible.")
    return JSONResponse(
        {
            "affaire_id": created.affaire_id,
            "reference": created.reference,
            "cpam": created.cpam_code,
            "complexe": created.is_complex,
        },
        status_code=201 if created.created else 200,
    )


medialog_routes = [Route(f"{MEDIALOG_PREFIX}/affaires", create_affaire, methods=["POST"])]
