"""The account as a FranceConnect v2 client (OpenID Connect, authorization code).

authlib builds the authorize URL and the token request; joserfc verifies the
id_token and the userinfo JWT (signature against the provider's JWKS, ES256 or
RS256 only, then the claims); httpx speaks to the provider.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri, prepare_token_request
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from rxapp.services.franceconnect import ACR, SCOPES

ALGORITHMS = ("ES256", "RS256")  # never "none", never HS256 (FranceConnect v1)
ACCEPTED_ACR = ("eidas1", "eidas2", "eidas3")
HTTP_TIMEOUT = 5.0
DISCOVERY_TTL = 3600.0
LEEWAY = 30  # seconds of clock difference tolerated on exp and iat


class ProviderUnavailable(Exception):
    """FranceConnect did not answer, or answered something unusable at the HTTP level."""


class TokenRefused(Exception):
    """A token failed verification; the message names the check (for the security log)."""


@dataclass(frozen=True)
class ClientConfig:
    """Who we are for the provider, and where it is."""

    issuer: str
    client_id: str
    client_secret: str


@dataclass(frozen=True)
class Endpoints:
    """The provider's endpoints, from its discovery document."""

    authorization: str
    token: str
    userinfo: str
    jwks: str
    end_session: str


@dataclass(frozen=True)
class SignedIn:
    """What a successful return gives: the verified userinfo claims and the raw id_token."""

    claims: dict[str, Any]
    id_token: str


_discovered: dict[str, tuple[float, Endpoints]] = {}


async def endpoints(config: ClientConfig) -> Endpoints:
    """The provider's endpoints (discovery, cached for an hour per issuer).

    Raises:
        ProviderUnavailable: the discovery document could not be read, or names another issuer.
    """
    cached = _discovered.get(config.issuer)
    if cached and time.monotonic() - cached[0] < DISCOVERY_TTL:
        return cached[1]
    document = await _get_json(f"{config.issuer.rstrip('/')}/.well-known/openid-configuration")
    if document.get("issuer") != config.issuer:
        raise ProviderUnavailable("discovery names another issuer")
    try:
        found = Endpoints(
            authorization=document["authorization_endpoint"],
            token=document["token_endpoint"],
            userinfo=document["userinfo_endpoint"],
            jwks=document["jwks_uri"],
            end_session=document["end_session_endpoint"],
        )
    except KeyError as error:
        raise ProviderUnavailable(f"discovery lacks {error}") from None
    _discovered[config.issuer] = (time.monotonic(), found)
    return found


def authorization_url(
    config: ClientConfig, found: Endpoints, *, redirect_uri: str, state: str, nonce: str
) -> str:
    """The authorize URL: code flow, the identité pivot scopes, eidas1, our state and nonce."""
    return prepare_grant_uri(
        found.authorization,
        client_id=config.client_id,
        response_type="code",
        redirect_uri=redirect_uri,
        scope=" ".join(SCOPES),
        state=state,
        nonce=nonce,
        acr_values=ACR,
    )


def end_session_url(found: Endpoints, *, id_token: str, state: str, post_logout_redirect_uri: str) -> str:
    """FranceConnect's logout: id_token_hint, state and post_logout_redirect_uri (all required)."""
    query = urlencode(
        {"id_token_hint": id_token, "state": state, "post_logout_redirect_uri": post_logout_redirect_uri}
    )
    return f"{found.end_session}?{query}"


async def complete_login(config: ClientConfig, *, code: str, redirect_uri: str, nonce: str) -> SignedIn:
    """Exchange the code, verify the id_token, fetch and verify the userinfo JWT.

    Raises:
        ProviderUnavailable: the provider did not answer.
        TokenRefused: the code was refused, or a token failed verification.
    """
    found = await endpoints(config)
    body = prepare_token_request(
        "authorization_code",
        code=code,
        redirect_uri=redirect_uri,
        client_id=config.client_id,
        client_secret=config.client_secret,  # client_secret_post
    )
    async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as client:
        try:
            response = await client.post(
                found.token, content=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
            )
            if response.status_code >= 500:
                raise ProviderUnavailable(f"token endpoint answered {response.status_code}")
            if response.status_code != 200:
                raise TokenRefused("code refused")
            tokens = response.json()
            keys = KeySet.import_key_set((await client.get(found.jwks)).raise_for_status().json())
            id_token = str(tokens.get("id_token") or "")
            id_claims = verify(id_token, keys, config, nonce=nonce)
            userinfo = await client.get(
                found.userinfo, headers={"Authorization": f"Bearer {tokens.get('access_token', '')}"}
            )
        except (httpx.HTTPError, ValueError) as error:
            raise ProviderUnavailable(type(error).__name__) from None
    if userinfo.status_code != 200 or not userinfo.headers.get("content-type", "").startswith(
        "application/jwt"
    ):
        raise TokenRefused("userinfo is not a signed JWT")
    claims = verify(userinfo.text, keys, config)
    if claims.get("sub") != id_claims.get("sub"):
        raise TokenRefused("userinfo sub differs from the id_token's")
    return SignedIn(claims=claims, id_token=id_token)


def verify(token: str, keys: KeySet, config: ClientConfig, *, nonce: str | None = None) -> dict[str, Any]:
    """Verify a JWT from the provider: signature (ES256/RS256), iss, aud, and for an id_token
    (`nonce` given) exp, iat, nonce and acr.

    Raises:
        TokenRefused: naming the failed check.
    """
    try:
        decoded = jwt.decode(token, keys, algorithms=list(ALGORITHMS))
        options: dict[str, Any] = {
            "iss": {"essential": True, "value": config.issuer},
            "aud": {"essential": True, "value": config.client_id},
            "sub": {"essential": True},
        }
        if nonce is not None:
            options |= {
                "exp": {"essential": True},
                "iat": {"essential": True},
                "nonce": {"essential": True, "value": nonce},
                "acr": {"essential": True, "values": list(ACCEPTED_ACR)},
            }
        jwt.JWTClaimsRegistry(leeway=LEEWAY, **options).validate(decoded.claims)
    except JoseError as error:
        raise TokenRefused(f"{type(error).__name__}: {error.description or error.error}") from None
    except ValueError as error:  # not a JWT at all
        raise TokenRefused(f"malformed: {type(error).__name__}") from None
    return dict(decoded.claims)


async def _get_json(url: str) -> Mapping[str, Any]:
    try:
        async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as client:
            response = await client.get(url)
            response.raise_for_status()
            return response.json()
    except (httpx.HTTPError, ValueError) as error:
        raise ProviderUnavailable(type(error).__name__) from None
