"""The FranceConnect login and logout against the local provider, one test per refusal.

The provider (rxapp/franceconnect_local.py) runs in this process on a free port; the
app's FranceConnect routes run in a Starlette test client, on a scratch database
holding the demo data, with Redis keeping the flows when REDIS_URL is set (as in CI).
Each refusal must land on the login page with its reason, write nothing (sessions,
login failures, accounts are fingerprinted) and log a `franceconnect_refused` event.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import uvicorn
from joserfc import jwt
from joserfc.jwk import ECKey
from sqlalchemy import text
from sqlmodel import Session, select
from starlette.testclient import TestClient

from rxapp import db, routes
from rxapp.api import build_api
from rxapp.api.franceconnect import franceconnect_routes, logout_url
from rxapp.franceconnect_local import LocalProvider, build_app
from rxapp.models import InsuredPerson, WebSession
from rxapp.services import auth
from rxapp.services.audit import configure_security_log, read_security_log
from rxapp.services.demo import seed_demo_data
from rxapp.settings import get_settings
from tests.support.databases import scratch_database, upgrade_to_head
from tests.support.processes import free_port

CLIENT_ID = "ameli-test"
CLIENT_SECRET = "test-secret-0123456789"
APP_BASE = "http://127.0.0.1:3999"
RENALDO = "1741171270102"


@dataclass
class Provider:
    provider: LocalProvider
    issuer: str


@pytest.fixture(scope="module")
def database_url() -> Iterator[str]:
    with scratch_database("franceconnect") as url:
        upgrade_to_head(url)
        engine = db.make_engine(url)
        with Session(engine) as session:
            seed_demo_data(session=session)
            session.commit()
        engine.dispose()
        yield url


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    port = free_port()
    issuer = f"http://127.0.0.1:{port}/api/v2"
    local = LocalProvider(issuer, CLIENT_ID, CLIENT_SECRET)
    server = uvicorn.Server(
        uvicorn.Config(build_app(local), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "le fournisseur local ne démarre pas"
        time.sleep(0.05)
    yield Provider(local, issuer)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def security_log(tmp_path: Path) -> Path:
    return tmp_path / "security.jsonl"


@pytest.fixture
def client(
    provider: Provider, database_url: str, security_log: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("FRANCECONNECT_ISSUER", provider.issuer)
    monkeypatch.setenv("FRANCECONNECT_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("FRANCECONNECT_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("SECURITY_LOG", str(security_log))
    get_settings.cache_clear()
    db.get_engine.cache_clear()
    configure_security_log(security_log)
    provider.provider.forge_id_token = None
    with TestClient(build_api(franceconnect_routes), base_url=APP_BASE) as test_client:
        yield test_client
    db.get_engine().dispose()
    get_settings.cache_clear()
    db.get_engine.cache_clear()


def fingerprint(database_url: str) -> tuple:
    """What a refusal must leave alone: sessions, login failures, logins and flows."""
    engine = db.make_engine(database_url)
    try:
        with engine.connect() as connection:
            return tuple(
                connection.execute(text(sql)).one()
                for sql in (
                    "SELECT count(*), max(id) FROM web_session",
                    "SELECT count(*) FROM login_failure",
                    "SELECT count(*), max(last_login_at) FROM account",
                )
            )
    finally:
        engine.dispose()


def choose(client: TestClient, identity: str | None, *, cancel: bool = False) -> str:
    """Start a login, pick an identity at the provider (or cancel); the callback URL it gives."""
    start = client.get(routes.FRANCECONNECT_LOGIN, follow_redirects=False)
    assert start.status_code == 303, start.text
    authorize = start.headers["location"]
    query = parse_qs(urlsplit(authorize).query)
    assert query["scope"] == ["openid given_name family_name birthdate gender birthplace birthcountry"]
    assert query["acr_values"] == ["eidas1"] and query["response_type"] == ["code"]
    assert len(query["state"][0]) >= 32 and len(query["nonce"][0]) >= 32
    page = httpx.get(authorize)
    assert page.status_code == 200 and "Renaldo ZOVI" in page.text
    request_id = re.search(r'name="request" value="([^"]+)"', page.text)
    assert request_id is not None
    form = {"request": request_id.group(1)} | ({"cancel": "1"} if cancel else {"identity": identity or ""})
    picked = httpx.post(authorize.split("?")[0] + "/choose", data=form)
    assert picked.status_code == 303
    return picked.headers["location"]


def return_to_app(client: TestClient, callback_url: str) -> httpx.Response:
    parts = urlsplit(callback_url)
    assert parts.path == routes.FRANCECONNECT_CALLBACK
    return client.get(f"{parts.path}?{parts.query}", follow_redirects=False)


def assert_refused(response: httpx.Response, reason: str, security_log: Path, detail: str = "") -> None:
    assert response.status_code == 303
    assert response.headers["location"] == f"{routes.LOGIN}?franceconnect={reason}"
    assert not response.cookies.get("ameli_session")  # no session cookie (at most its expiry)
    events = [event for event in read_security_log(security_log) if event["event"] == "franceconnect_refused"]
    assert [event["reason"] for event in events] == [reason], events
    assert detail in str(events[0]["detail"]), events


def test_renaldo_signs_in_and_the_session_keeps_the_id_token(client: TestClient, database_url: str) -> None:
    response = return_to_app(client, choose(client, RENALDO))
    assert response.status_code == 303, response.text
    assert response.headers["location"] == routes.DASHBOARD
    session_id = response.cookies.get("ameli_session")
    assert session_id and len(session_id) >= 32
    cookie = next(v for k, v in response.headers.multi_items() if k == "set-cookie" and "ameli_session" in v)
    assert "samesite=strict" in cookie.lower() and "httponly" in cookie.lower() and "Path=/" in cookie
    engine = db.make_engine(database_url)
    try:
        with Session(engine) as session:
            account = auth.account_for_session(session=session, session_id=session_id)
            assert account is not None
            assert session.get(InsuredPerson, account.insured_id).nir == RENALDO  # type: ignore[union-attr]
            web_session = session.exec(select(WebSession).order_by(WebSession.id.desc())).first()  # type: ignore[union-attr]
            assert web_session is not None and web_session.franceconnect_id_token
            assert web_session.franceconnect_id_token.count(".") == 2
            session.commit()
    finally:
        engine.dispose()


def test_cancel_at_franceconnect_is_refused(
    client: TestClient, database_url: str, security_log: Path
) -> None:
    before = fingerprint(database_url)
    response = return_to_app(client, choose(client, None, cancel=True))
    assert "error=access_denied" in response.request.url.query.decode()
    assert_refused(response, "access_denied", security_log)
    assert fingerprint(database_url) == before


def test_tampered_state_is_refused(client: TestClient, database_url: str, security_log: Path) -> None:
    before = fingerprint(database_url)
    callback = choose(client, RENALDO)
    state = parse_qs(urlsplit(callback).query)["state"][0]
    response = return_to_app(
        client, callback.replace(state, state[:-2] + ("AA" if state[-2:] != "AA" else "BB"))
    )
    assert_refused(response, "state", security_log, "unknown or replayed state")
    assert fingerprint(database_url) == before


def test_replayed_state_is_refused(client: TestClient, database_url: str, security_log: Path) -> None:
    callback = choose(client, RENALDO)
    assert return_to_app(client, callback).headers["location"] == routes.DASHBOARD
    before = fingerprint(database_url)
    assert_refused(return_to_app(client, callback), "state", security_log, "unknown or replayed state")
    assert fingerprint(database_url) == before


def test_state_from_another_browser_is_refused(
    client: TestClient, database_url: str, security_log: Path
) -> None:
    before = fingerprint(database_url)
    callback = choose(client, RENALDO)
    client.cookies.clear()  # the binding cookie stays with the browser that started the login
    assert_refused(return_to_app(client, callback), "state", security_log, "another browser")
    assert fingerprint(database_url) == before


def _unsigned(header: dict[str, Any], claims: dict[str, Any]) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part(header)}.{part(claims)}."


# Each forgery, and the check that must catch it (named in the security event's detail).
DETECTED_BY = {
    "nonce": "Invalid claim: 'nonce'",
    "another_key": "BadSignatureError",
    "alg_none": "Algorithm of 'none' is not allowed",
    "expired": "ExpiredTokenError",
    "aud": "Invalid claim: 'aud'",
    "acr": "Invalid claim: 'acr'",
}
FORGERIES: dict[str, Callable[[dict[str, Any], ECKey], str]] = {
    "nonce": lambda claims, key: jwt.encode(
        {"alg": "ES256", "kid": key.kid}, claims | {"nonce": "x" * 43}, key, algorithms=["ES256"]
    ),
    "another_key": lambda claims, key: jwt.encode(
        {"alg": "ES256", "kid": key.kid}, claims, ECKey.generate_key("P-256"), algorithms=["ES256"]
    ),
    "alg_none": lambda claims, key: _unsigned({"alg": "none", "typ": "JWT"}, claims),
    "expired": lambda claims, key: jwt.encode(
        {"alg": "ES256", "kid": key.kid},
        claims | {"exp": int(time.time()) - 120, "iat": int(time.time()) - 180},
        key,
        algorithms=["ES256"],
    ),
    "aud": lambda claims, key: jwt.encode(
        {"alg": "ES256", "kid": key.kid}, claims | {"aud": "another-service"}, key, algorithms=["ES256"]
    ),
    "acr": lambda claims, key: jwt.encode(
        {"alg": "ES256", "kid": key.kid}, claims | {"acr": "eidas0"}, key, algorithms=["ES256"]
    ),
}


@pytest.mark.parametrize("forgery", sorted(FORGERIES))
def test_a_forged_id_token_is_refused(
    forgery: str, provider: Provider, client: TestClient, database_url: str, security_log: Path
) -> None:
    before = fingerprint(database_url)
    provider.provider.forge_id_token = FORGERIES[forgery]
    response = return_to_app(client, choose(client, RENALDO))
    assert_refused(response, "token", security_log, DETECTED_BY[forgery])
    assert fingerprint(database_url) == before


@pytest.mark.parametrize("identity", ["sans-compte", "homonyme-zovi"])
def test_an_identity_without_an_account_is_refused(
    identity: str, client: TestClient, database_url: str, security_log: Path
) -> None:
    before = fingerprint(database_url)
    assert_refused(return_to_app(client, choose(client, identity)), "identity", security_log, "no account")
    assert fingerprint(database_url) == before


def test_franceconnect_not_answering(
    client: TestClient, database_url: str, security_log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = fingerprint(database_url)
    monkeypatch.setenv("FRANCECONNECT_ISSUER", f"http://127.0.0.1:{free_port()}/api/v2")
    get_settings.cache_clear()
    response = client.get(routes.FRANCECONNECT_LOGIN, follow_redirects=False)
    assert_refused(response, "unavailable", security_log)
    assert fingerprint(database_url) == before


def test_logout_ends_the_franceconnect_session_and_checks_its_state(
    client: TestClient, database_url: str, security_log: Path
) -> None:
    session_id = return_to_app(client, choose(client, RENALDO)).cookies["ameli_session"]
    engine = db.make_engine(database_url)
    try:
        with Session(engine) as session:
            id_token = auth.end_session(session=session, session_id=session_id)
            session.commit()
    finally:
        engine.dispose()
    assert id_token
    url = asyncio.run(logout_url(id_token=id_token, base_url=APP_BASE))
    assert url is not None
    query = parse_qs(urlsplit(url).query)
    assert query["id_token_hint"] == [id_token] and len(query["state"][0]) >= 32
    assert query["post_logout_redirect_uri"] == [APP_BASE + routes.FRANCECONNECT_LOGOUT]
    back = httpx.get(url)
    assert back.status_code == 303
    parts = urlsplit(back.headers["location"])
    response = client.get(f"{parts.path}?{parts.query}", follow_redirects=False)
    assert response.headers["location"] == routes.LOGIN
    assert_refused(
        client.get(f"{parts.path}?{parts.query}", follow_redirects=False), "logout_state", security_log
    )


def test_without_redis_the_database_keeps_the_flow_for_one_use(
    client: TestClient, database_url: str, security_log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    get_settings.cache_clear()
    assert get_settings().redis_url is None
    callback = choose(client, RENALDO)
    engine = db.make_engine(database_url)
    try:
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM franceconnect_flow")).scalar_one() >= 1
    finally:
        engine.dispose()
    assert return_to_app(client, callback).headers["location"] == routes.DASHBOARD
    before = fingerprint(database_url)
    assert_refused(return_to_app(client, callback), "state", security_log, "unknown or replayed state")
    assert fingerprint(database_url) == before
