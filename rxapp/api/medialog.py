"""The Medialog+ API: the worker creates affaires through it, with a service token."""

from __future__ import annotations

import hmac
import json

from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from rxapp.db import session_scope
from rxapp.observability.visitor import request_address
from rxapp.services.audit import ACCESS_REFUSED, security_event
from rxapp.services.medialog import AffaireCreated, create_affaire_for_request, create_affaires_for_requests
from rxapp.settings import get_settings

MEDIALOG_PREFIX = "/api/medialog"
MAX_BODY = 4096
MAX_ID = 2**31 - 1
MAX_BATCH = 100


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"erreur": message}, status_code=status)


def _authorised(request: Request) -> bool:
    expected = f"Bearer {get_settings().medialog_api_token}".encode()
    given = request.headers.get("authorization", "").encode()
    return hmac.compare_digest(given, expected)


async def _payload(request: Request) -> dict | JSONResponse:
    """The JSON object of an authorised call, or the error to answer."""
    if not _authorised(request):
        security_event(
            ACCESS_REFUSED,
            action="medialog_api",
            reason="bad_service_token",
            client_ip=request_address(request) or None,
        )
        return _error(401, "Jeton de service manquant ou invalide.")
    body = await request.body()
    if len(body) > MAX_BODY:
        return _error(413, "Requête trop volumineuse.")
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return _error(400, "Le corps de la requête doit être un objet JSON.")
    if not isinstance(payload, dict):
        return _error(422, "Le corps de la requête doit être un objet JSON.")
    return payload


def _create(request_id: int) -> AffaireCreated:
    with session_scope() as session:
        return create_affaire_for_request(session=session, request_id=request_id)


async def create_affaire(request: Request) -> JSONResponse:
    """POST /api/medialog/affaires {"request_id": n}: 201 created, 200 already there (idempotent)."""
    payload = await _payload(request)
    if isinstance(payload, JSONResponse):
        return payload
    request_id = payload.get("request_id")
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


def _create_batch(request_ids: list[int]) -> dict[int, AffaireCreated]:
    with session_scope() as session:
        return create_affaires_for_requests(session=session, request_ids=request_ids)


async def create_affaires(request: Request) -> JSONResponse:
    """POST /api/medialog/affaires/lots {"request_ids": [n, ...]}: up to 100 affaires in one transaction.

    Idempotent per request, like the single route: each item says whether its
    affaire was created now (`creee`); unknown requests are listed in `inconnues`.
    """
    payload = await _payload(request)
    if isinstance(payload, JSONResponse):
        return payload
    request_ids = payload.get("request_ids")
    if (
        not isinstance(request_ids, list)
        or not 0 < len(request_ids) <= MAX_BATCH
        or any(type(item) is not int or not 0 < item <= MAX_ID for item in request_ids)
    ):
        return _error(422, f"« request_ids » doit être une liste de 1 à {MAX_BATCH} entiers positifs.")
    try:
        created = await run_in_threadpool(_create_batch, request_ids)
    except SQLAlchemyError:
        return _error(503, "Service momentanément indisponible.")
    return JSONResponse(
        {
            "affaires": [
                {
                    "request_id": request_id,
                    "affaire_id": item.affaire_id,
                    "reference": item.reference,
                    "cpam": item.cpam_code,
                    "complexe": item.is_complex,
                    "creee": item.created,
                }
                for request_id, item in created.items()
            ],
            "inconnues": [
                request_id for request_id in dict.fromkeys(request_ids) if request_id not in created
            ],
        }
    )


medialog_routes = [
    Route(f"{MEDIALOG_PREFIX}/affaires", create_affaire, methods=["POST"]),
    Route(f"{MEDIALOG_PREFIX}/affaires/lots", create_affaires, methods=["POST"]),
]
