"""A local FranceConnect-compatible provider, for the demo (`make run`) and the tests.

`python -m rxapp.franceconnect_local --port 8765 --issuer http://127.0.0.1:8765/api/v2`
serves FranceConnect v2's endpoints under `/api/v2`: discovery, JWKS, authorize (a
French page listing the demo identities, the person picks one), token
(`client_secret_post`), userinfo (a signed JWT) and session/end. Its ES256 key is
generated at start; tokens are signed with joserfc. Everything is kept in memory.

Never used in production (the settings refuse an empty FRANCECONNECT_ISSUER there).
"""

from __future__ import annotations

import argparse
import hashlib
import html
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from rxapp.services.demo import PERSONAS
from rxapp.services.franceconnect import SCOPES
from rxapp.services.nir import parse_nir

CODE_LIFETIME = 60
TOKEN_LIFETIME = 60  # FranceConnect's access tokens live 60 s
ID_TOKEN_LIFETIME = 60
MIN_NONCE_LENGTH = 22  # FranceConnect's own validation


@dataclass(frozen=True)
class Identity:
    """One identité pivot the provider can hand out."""

    key: str
    given_name: str
    family_name: str
    birthdate: str
    gender: str
    birthplace: str
    birthcountry: str = "99100"
    place_label: str = ""

    @property
    def claims(self) -> dict[str, str]:
        return {
            "given_name": self.given_name,
            "given_name_array": self.given_name.split(" "),  # type: ignore[dict-item]
            "family_name": self.family_name,
            "birthdate": self.birthdate,
            "gender": self.gender,
            "birthplace": self.birthplace,
            "birthcountry": self.birthcountry,
        }


def demo_identities() -> list[Identity]:
    """One identity per demo persona (agreeing with its NIR), one person without an ameli
    account, and a homonym of Renaldo ZOVI born elsewhere (the two differ only by birthplace)."""
    identities = []
    for persona in PERSONAS:
        nir = parse_nir(persona.nir).body
        person = persona.insured
        identities.append(
            Identity(
                key=nir,
                given_name=person.first_name.title(),
                family_name=person.last_name,
                birthdate=person.birth_date.isoformat(),
                gender="male" if nir[0] == "1" else "female",
                birthplace=nir[5:10],
                place_label=f"lieu de naissance {nir[5:10]}",
            )
        )
    renaldo = identities[0]
    identities += [
        Identity(
            key="homonyme-zovi",
            given_name=renaldo.given_name,
            family_name=renaldo.family_name,
            birthdate=renaldo.birthdate,
            gender=renaldo.gender,
            birthplace="69123",
            place_label="lieu de naissance 69123",
        ),
        Identity(
            key="sans-compte",
            given_name="Camille Anne",
            family_name="DUBOIS",
            birthdate="1988-05-12",
            gender="female",
            birthplace="75056",
            place_label="lieu de naissance 75056, sans compte ameli",
        ),
    ]
    return identities


@dataclass
class LocalProvider:
    """The provider's keys, client and in-memory grants.

    `forge_id_token`, when set, replaces the id_token it returns (the tests use it to
    tamper with signature, algorithm, expiry or audience).
    """

    issuer: str
    client_id: str
    client_secret: str
    identities: list[Identity] = field(default_factory=demo_identities)
    key: ECKey = field(
        default_factory=lambda: ECKey.generate_key("P-256", {"use": "sig", "alg": "ES256"}, auto_kid=True)
    )
    forge_id_token: Callable[[dict[str, Any], ECKey], str] | None = None
    _requests: dict[str, dict[str, str]] = field(default_factory=dict)
    _codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    _access: dict[str, dict[str, Any]] = field(default_factory=dict)

    def sign(self, claims: dict[str, Any]) -> str:
        """A JWT signed with the provider's ES256 key."""
        return jwt.encode({"alg": "ES256", "kid": self.key.kid}, claims, self.key, algorithms=["ES256"])

    def discovery(self) -> dict[str, Any]:
        base = self.issuer.rstrip("/")
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token",
            "userinfo_endpoint": f"{base}/userinfo",
            "jwks_uri": f"{base}/jwks",
            "end_session_endpoint": f"{base}/session/end",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["pairwise"],
            "token_endpoint_auth_methods_supported": ["client_secret_post"],
            "id_token_signing_alg_values_supported": ["ES256", "RS256"],
            "userinfo_signing_alg_values_supported": ["ES256", "RS256"],
            "acr_values_supported": ["eidas1"],
            "scopes_supported": list(SCOPES),
        }

    def allowed_redirect(self, uri: str) -> bool:
        """Local clients only: the demo and the tests run on this machine."""
        parts = urlsplit(uri)
        return parts.scheme in {"http", "https"} and parts.hostname in {"127.0.0.1", "localhost"}

    def sub_for(self, identity: Identity) -> str:
        """A pairwise-looking subject, stable per identity and client."""
        return hashlib.sha256(f"{identity.key}:{self.client_id}".encode()).hexdigest() + "v1"


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        f"""<!doctype html><html lang="fr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">
<title>{html.escape(title)}</title>
<style>body{{font-family:system-ui,sans-serif;margin:0;color:#1f2937;background:#f6f6f6}}
main{{max-width:40rem;margin:2rem auto;padding:1.5rem;background:#fff}}
h1{{color:#000091;font-size:1.6rem}}ul{{list-style:none;padding:0}}li{{margin:.5rem 0}}
button{{width:100%;min-height:44px;padding:.6rem 1rem;font-size:1rem;text-align:left;cursor:pointer;
color:#fff;background:#000091;border:0;border-radius:4px}}button.secondary{{color:#000091;background:#fff;
border:1px solid #000091;text-align:center}}</style></head>
<body><main>{body}</main></body></html>""",
        status_code=status,
    )


def build_app(provider: LocalProvider) -> Starlette:
    """The provider's HTTP endpoints under /api/v2."""

    async def discovery(request: Request) -> Response:
        return JSONResponse(provider.discovery())

    async def jwks(request: Request) -> Response:
        return JSONResponse(KeySet([provider.key]).as_dict(private=False))

    async def authorize(request: Request) -> Response:
        params = dict(request.query_params)
        problems = [
            params.get("response_type") != "code",
            params.get("client_id") != provider.client_id,
            not provider.allowed_redirect(params.get("redirect_uri", "")),
            "openid" not in params.get("scope", "").split(),
            len(params.get("state", "")) < MIN_NONCE_LENGTH,
            len(params.get("nonce", "")) < MIN_NONCE_LENGTH,
            params.get("acr_values") != "eidas1",
        ]
        if any(problems):
            return _page(
                "Requête refusée", "<h1>Requête refusée</h1><p>Paramètres d'autorisation invalides.</p>", 400
            )
        request_id = secrets.token_urlsafe(16)
        provider._requests[request_id] = params
        choices = "".join(
            f'<li><form method="post" action="authorize/choose"><input type="hidden" name="request" '
            f'value="{request_id}"><input type="hidden" name="identity" value="{html.escape(i.key)}">'
            f'<button type="submit">{html.escape(i.given_name)} {html.escape(i.family_name)}, né(e) le '
            f"{i.birthdate[8:10]}/{i.birthdate[5:7]}/{i.birthdate[:4]} ({html.escape(i.place_label)})</button>"
            "</form></li>"
            for i in provider.identities
        )
        cancel = (
            f'<form method="post" action="authorize/choose"><input type="hidden" name="request" '
            f'value="{request_id}"><button class="secondary" type="submit" name="cancel" value="1">'
            "Annuler et revenir au service</button></form>"
        )
        body = (
            "<h1>FranceConnect (fournisseur local de démonstration)</h1>"
            "<p>Choisissez l'identité avec laquelle vous connecter au compte ameli.</p>"
            f'<ul aria-label="Identités de démonstration">{choices}</ul>{cancel}'
        )
        return _page("Choisir une identité | FranceConnect local", body)

    async def choose(request: Request) -> Response:
        form = await request.form()
        params = provider._requests.pop(str(form.get("request", "")), None)
        if params is None:
            return _page(
                "Requête expirée", "<h1>Requête expirée</h1><p>Recommencez depuis le service.</p>", 400
            )
        target = params["redirect_uri"]
        if form.get("cancel"):
            query = {
                "error": "access_denied",
                "error_description": "User auth aborted",
                "state": params["state"],
            }
            return RedirectResponse(f"{target}?{urlencode(query)}", status_code=303)
        identity = next((i for i in provider.identities if i.key == form.get("identity")), None)
        if identity is None:
            return _page("Identité inconnue", "<h1>Identité inconnue</h1>", 400)
        code = secrets.token_urlsafe(32)
        provider._codes[code] = {
            "params": params,
            "identity": identity,
            "expires": time.time() + CODE_LIFETIME,
        }
        return RedirectResponse(
            f"{target}?{urlencode({'code': code, 'state': params['state']})}", status_code=303
        )

    async def token(request: Request) -> Response:
        form = await request.form()
        if form.get("client_id") != provider.client_id or form.get("client_secret") != provider.client_secret:
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        grant = provider._codes.pop(str(form.get("code", "")), None)  # a code is used once
        if (
            form.get("grant_type") != "authorization_code"
            or grant is None
            or grant["expires"] < time.time()
            or form.get("redirect_uri") != grant["params"]["redirect_uri"]
        ):
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        identity: Identity = grant["identity"]
        now = int(time.time())
        claims = {
            "iss": provider.issuer,
            "sub": provider.sub_for(identity),
            "aud": provider.client_id,
            "exp": now + ID_TOKEN_LIFETIME,
            "iat": now,
            "nonce": grant["params"]["nonce"],
            "acr": "eidas1",
            "amr": ["pwd"],
        }
        id_token = (
            provider.forge_id_token(claims, provider.key)
            if provider.forge_id_token
            else provider.sign(claims)
        )
        access_token = secrets.token_urlsafe(32)
        provider._access[access_token] = {"identity": identity, "expires": now + TOKEN_LIFETIME}
        return JSONResponse(
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": TOKEN_LIFETIME,
                "id_token": id_token,
            },
            headers={"Cache-Control": "no-store"},
        )

    async def userinfo(request: Request) -> Response:
        access = provider._access.get(request.headers.get("authorization", "").removeprefix("Bearer "))
        if access is None or access["expires"] < time.time():
            return JSONResponse({"error": "invalid_token"}, status_code=401)
        identity: Identity = access["identity"]
        now = int(time.time())
        claims = {
            "iss": provider.issuer,
            "aud": provider.client_id,
            "sub": provider.sub_for(identity),
            "iat": now,
        }
        claims |= identity.claims | {"exp": now + TOKEN_LIFETIME}
        return Response(provider.sign(claims), media_type="application/jwt")

    async def end_session(request: Request) -> Response:
        params = request.query_params
        target = params.get("post_logout_redirect_uri", "")
        try:
            jwt.decode(params.get("id_token_hint", ""), provider.key, algorithms=["ES256"])
        except (JoseError, ValueError):
            return _page(
                "Déconnexion refusée", "<h1>Déconnexion refusée</h1><p>id_token_hint invalide.</p>", 400
            )
        if not params.get("state") or not provider.allowed_redirect(target):
            return _page(
                "Déconnexion refusée", "<h1>Déconnexion refusée</h1><p>Paramètres invalides.</p>", 400
            )
        return RedirectResponse(f"{target}?{urlencode({'state': params['state']})}", status_code=303)

    async def ping(request: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(
        routes=[
            Route("/api/v2/.well-known/openid-configuration", discovery),
            Route("/api/v2/jwks", jwks),
            Route("/api/v2/authorize", authorize),
            Route("/api/v2/authorize/choose", choose, methods=["POST"]),
            Route("/api/v2/token", token, methods=["POST"]),
            Route("/api/v2/userinfo", userinfo),
            Route("/api/v2/session/end", end_session),
            Route("/ping", ping),
        ]
    )


def main(argv: list[str] | None = None) -> None:
    """Serve the local provider with uvicorn (`serve` starts it as a child process)."""
    import uvicorn

    from rxapp.settings import get_settings

    parser = argparse.ArgumentParser(description="Fournisseur FranceConnect local (démonstration).")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--issuer", required=True)
    args = parser.parse_args(argv)
    settings = get_settings()
    provider = LocalProvider(
        args.issuer, settings.franceconnect_client_id, settings.franceconnect_client_secret
    )
    uvicorn.run(build_app(provider), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
