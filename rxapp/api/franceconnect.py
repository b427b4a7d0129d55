"""FranceConnect login and logout: plain HTTP routes next to the Reflex app.

- `GET /api/franceconnect/connexion` starts a login: a random `state` and `nonce`
  kept server-side (rxapp/services/franceconnect_flow.py), bound to this browser by
  an HttpOnly cookie, then a redirect to FranceConnect's authorize endpoint.
- `GET /api/franceconnect/retour` is the callback: it checks the state, exchanges
  the code, verifies the id_token and the userinfo JWT, matches the identity to one
  insured person and opens the same session as a NIR + code login. The session
  cookie is set on this response, then a 303 leads to the dashboard.
- `GET /api/franceconnect/deconnexion` is where FranceConnect sends the browser back
  after its logout; the state is checked there.

Every refusal sends the browser to the login page with a reason code
(`/?franceconnect=<reason>`), which the page turns into its French message; it is
logged as a `franceconnect_refused` security event, and nothing is stored.
"""

from __future__ import annotations

import functools
import hmac
import logging
from urllib.parse import urlencode

from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from rxapp import routes
from rxapp.api.session import COOKIE_MAX_AGE, SESSION_COOKIE, with_cookie
from rxapp.db import session_scope
from rxapp.observability.visitor import request_address
from rxapp.services import auth
from rxapp.services import franceconnect_oidc as oidc
from rxapp.services.audit import FRANCECONNECT_REFUSED, security_event
from rxapp.services.franceconnect import IdentityRefused, identity_from_claims, login_with_franceconnect
from rxapp.services.franceconnect_flow import (
    FLOW_LIFETIME,
    LOGIN,
    LOGOUT,
    DatabaseFlowStore,
    Flow,
    FlowStore,
    RedisFlowStore,
    digest,
    random_value,
)
from rxapp.settings import Settings, get_settings

logger = logging.getLogger(__name__)

BINDING_COOKIE = "ameli_franceconnect"
NO_STORE = {"Cache-Control": "no-store"}


def client_config(settings: Settings) -> oidc.ClientConfig | None:
    """Our FranceConnect client settings, or None when no provider is configured."""
    if not settings.franceconnect_issuer:
        return None
    return oidc.ClientConfig(
        issuer=settings.franceconnect_issuer,
        client_id=settings.franceconnect_client_id,
        client_secret=settings.franceconnect_client_secret,
    )


def flow_store(settings: Settings) -> FlowStore:
    """Redis when it is configured, else the database."""
    if settings.redis_url:
        return RedisFlowStore(_redis_client(settings.redis_url))
    return DatabaseFlowStore(session_scope)


@functools.cache
def _redis_client(url: str):
    import redis

    return redis.Redis.from_url(url, socket_timeout=3, socket_connect_timeout=3)


def _base_url(request: Request, settings: Settings) -> str:
    return (settings.public_url or str(request.base_url)).rstrip("/")


def _refused(request: Request, reason: str, detail: str, *, settings: Settings) -> RedirectResponse:
    """Log the refusal and send the browser to the login page, which shows its message."""
    security_event(
        FRANCECONNECT_REFUSED,
        reason=reason,
        detail=detail[:200],
        client_ip=request_address(request) or None,
    )
    response = RedirectResponse(f"{routes.LOGIN}?{urlencode({'franceconnect': reason})}", 303, NO_STORE)
    response.delete_cookie(BINDING_COOKIE, path=routes.FRANCECONNECT_PREFIX)
    return response


async def start_login(request: Request) -> Response:
    """Send the browser to FranceConnect's authorize endpoint."""
    settings = get_settings()
    config = client_config(settings)
    try:
        if config is None:
            raise oidc.ProviderUnavailable("FRANCECONNECT_ISSUER is not set")
        found = await oidc.endpoints(config)
        state, nonce, binding = random_value(), random_value(), random_value()
        store = flow_store(settings)
        await run_in_threadpool(store.put, state, Flow(LOGIN, nonce=nonce, binding_hash=digest(binding)))
    except (oidc.ProviderUnavailable, SQLAlchemyError, OSError) as error:
        return _refused(request, "unavailable", type(error).__name__, settings=settings)
    redirect_uri = _base_url(request, settings) + routes.FRANCECONNECT_CALLBACK
    url = oidc.authorization_url(config, found, redirect_uri=redirect_uri, state=state, nonce=nonce)
    response = RedirectResponse(url, 303, NO_STORE)
    # Lax, not Strict: it must come back on FranceConnect's top-level redirect to the callback.
    response.set_cookie(
        BINDING_COOKIE,
        binding,
        max_age=int(FLOW_LIFETIME.total_seconds()),
        path=routes.FRANCECONNECT_PREFIX,
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="lax",
    )
    return response


def _open_session(claims: dict, id_token: str, client_ip: str) -> str:
    identity = identity_from_claims(claims)
    with session_scope() as session:
        opened = login_with_franceconnect(
            session=session, identity=identity, id_token=id_token, client_ip=client_ip
        )
        return opened.session_id


async def callback(request: Request) -> Response:
    """FranceConnect's return: check everything, then open the session."""
    settings = get_settings()
    params = request.query_params
    state = params.get("state", "")
    store = flow_store(settings)
    try:
        flow = await run_in_threadpool(store.take, state) if state else None
    except (SQLAlchemyError, OSError) as error:
        return _refused(request, "unavailable", type(error).__name__, settings=settings)
    binding = request.cookies.get(BINDING_COOKIE, "")
    if params.get("error"):
        reason = "access_denied" if params["error"] == "access_denied" else "token"
        return _refused(request, reason, f"provider error {params['error'][:40]}", settings=settings)
    if flow is None or flow.purpose != LOGIN or not hmac.compare_digest(flow.binding_hash, digest(binding)):
        detail = "unknown or replayed state" if flow is None else "state of another browser or purpose"
        return _refused(request, "state", detail, settings=settings)
    config = client_config(settings)
    if config is None:
        return _refused(request, "unavailable", "FRANCECONNECT_ISSUER is not set", settings=settings)
    redirect_uri = _base_url(request, settings) + routes.FRANCECONNECT_CALLBACK
    try:
        signed_in = await oidc.complete_login(
            config, code=params.get("code", ""), redirect_uri=redirect_uri, nonce=flow.nonce
        )
        session_id = await run_in_threadpool(
            _open_session, signed_in.claims, signed_in.id_token, request_address(request)
        )
    except oidc.ProviderUnavailable as error:
        return _refused(request, "unavailable", str(error), settings=settings)
    except oidc.TokenRefused as error:
        return _refused(request, "token", str(error), settings=settings)
    except IdentityRefused as error:
        return _refused(request, "identity", str(error), settings=settings)
    except auth.LoginRefused:
        return _refused(request, "locked", "subject or client locked", settings=settings)
    except SQLAlchemyError as error:
        return _refused(request, "unavailable", type(error).__name__, settings=settings)
    response = RedirectResponse(routes.DASHBOARD, 303, NO_STORE)
    response.delete_cookie(BINDING_COOKIE, path=routes.FRANCECONNECT_PREFIX)
    # The same HttpOnly, SameSite=Strict cookie as a NIR + code login's. Set on this response to
    # a navigation that came from FranceConnect's site, it is still sent with the dashboard's own
    # requests and its websocket handshake (tests/e2e/test_franceconnect.py checks it).
    return with_cookie(response, SESSION_COOKIE, session_id, COOKIE_MAX_AGE)


async def logout_url(*, id_token: str, base_url: str) -> str | None:
    """Where to send the browser to end its FranceConnect session too (None: provider down).

    The logout's state is kept server-side and checked when FranceConnect sends the
    browser back to `/api/franceconnect/deconnexion`.
    """
    settings = get_settings()
    config = client_config(settings)
    if config is None:
        return None
    try:
        found = await oidc.endpoints(config)
        state = random_value()
        await run_in_threadpool(flow_store(settings).put, state, Flow(LOGOUT))
    except (oidc.ProviderUnavailable, SQLAlchemyError, OSError) as error:
        logger.warning("FranceConnect logout not started: %s", type(error).__name__)
        return None
    return oidc.end_session_url(
        found,
        id_token=id_token,
        state=state,
        post_logout_redirect_uri=(settings.public_url or base_url).rstrip("/") + routes.FRANCECONNECT_LOGOUT,
    )


async def logout_return(request: Request) -> Response:
    """FranceConnect's return after its logout: the state must be ours, and used once."""
    settings = get_settings()
    state = request.query_params.get("state", "")
    try:
        flow = await run_in_threadpool(flow_store(settings).take, state) if state else None
    except (SQLAlchemyError, OSError) as error:
        flow = None
        logger.warning("FranceConnect logout state not checked: %s", type(error).__name__)
    # The handler revoked the session before leaving for FranceConnect; the cookie goes here.
    if flow is None or flow.purpose != LOGOUT:
        refused = _refused(request, "logout_state", "unknown or replayed logout state", settings=settings)
        return with_cookie(refused, SESSION_COOKIE, "", 0)
    return with_cookie(RedirectResponse(routes.LOGIN, 303, NO_STORE), SESSION_COOKIE, "", 0)


franceconnect_routes = [
    Route(routes.FRANCECONNECT_LOGIN, start_login, methods=["GET"]),
    Route(routes.FRANCECONNECT_CALLBACK, callback, methods=["GET"]),
    Route(routes.FRANCECONNECT_LOGOUT, logout_return, methods=["GET"]),
]
