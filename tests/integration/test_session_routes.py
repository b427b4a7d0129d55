"""The HTTP routes that exchange a login ticket for the session cookie, and expire it.

The cookie's attributes are read on the routes' own HTTP responses (Starlette's
test client speaks HTTP to the same ASGI app the server mounts), in development
and in production, against a real database.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from http.cookies import SimpleCookie

import pytest
from sqlmodel import Session
from starlette.testclient import TestClient

from rxapp import routes
from rxapp.api import build_api
from rxapp.api.session import AGENT_SESSION_COOKIE, SESSION_COOKIE, session_routes
from rxapp.db import get_engine
from rxapp.models import SessionKind, utcnow
from rxapp.services import auth, tickets
from rxapp.settings import get_settings
from tests.support.databases import migrate_and_seed, scratch_database
from tests.support.handlers import AGENT_PASSWORD, INSURED_CODE, app_database

RENALDO = "1741171270102 58"


@pytest.fixture(scope="module")
def database_url() -> Iterator[str]:
    with scratch_database("sessionroutes") as url:
        migrate_and_seed(url)
        yield url


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    with app_database(database_url):
        yield TestClient(build_api(session_routes), base_url="http://localhost:3000", follow_redirects=False)


def _ticket(*, agent: bool = False, now=None) -> str:
    with Session(get_engine()) as session:
        if agent:
            opened = auth.login_agent(session=session, login="agent.ain", password=AGENT_PASSWORD)
        else:
            opened = auth.login_insured(session=session, nir=RENALDO, code=INSURED_CODE)
        ticket = tickets.issue_ticket(session=session, session_id=opened.session_id, now=now)
        session.commit()
    return ticket


def _set_cookie(response) -> SimpleCookie:
    jar: SimpleCookie = SimpleCookie()
    for header in response.headers.get_list("set-cookie"):
        jar.load(header)
    return jar


def test_a_ticket_gives_an_httponly_strict_cookie_once(client: TestClient, caplog) -> None:
    url = routes.open_session_url(_ticket())
    response = client.get(url)
    assert (response.status_code, response.headers["location"]) == (303, routes.DASHBOARD)
    header = response.headers["set-cookie"]
    cookie = _set_cookie(response)[SESSION_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "strict" and cookie["path"] == "/"
    assert cookie["max-age"] == str(8 * 3600)
    assert "secure" not in header.lower()  # plain http on localhost in development
    with Session(get_engine()) as session:
        assert auth.account_for_session(session=session, session_id=cookie.value) is not None
    # The same ticket again: back to the login page, nothing set, logged.
    with caplog.at_level(logging.INFO, logger="rxapp.security"):
        again = client.get(url)
    assert (again.status_code, again.headers["location"]) == (303, routes.LOGIN)
    assert "set-cookie" not in again.headers
    assert any("ticket_refused" in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize(
    "url",
    [
        routes.OPEN_SESSION,
        routes.open_session_url("inconnu"),
        routes.open_session_url("x" * 500),
    ],
)
def test_a_missing_or_unknown_ticket_sets_nothing(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert (response.status_code, response.headers["location"]) == (303, routes.LOGIN)
    assert "set-cookie" not in response.headers


def test_an_expired_ticket_sets_nothing(client: TestClient) -> None:
    ticket = _ticket(now=utcnow() - tickets.TICKET_LIFETIME - timedelta(seconds=1))
    response = client.get(routes.open_session_url(ticket))
    assert (response.status_code, response.headers["location"]) == (303, routes.LOGIN)
    assert "set-cookie" not in response.headers


def test_tickets_open_only_their_own_kind_of_session(client: TestClient) -> None:
    agent_ticket = _ticket(agent=True)
    refused = client.get(routes.open_session_url(agent_ticket))
    assert (refused.status_code, refused.headers["location"]) == (303, routes.LOGIN)
    assert "set-cookie" not in refused.headers
    # Refused on the wrong route, the ticket still works once on its own.
    response = client.get(routes.open_session_url(agent_ticket, agent=True))
    assert (response.status_code, response.headers["location"]) == (303, routes.ADMIN_QUEUE)
    cookie = _set_cookie(response)[AGENT_SESSION_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "strict"
    with Session(get_engine()) as session:
        assert auth.agent_for_session(session=session, session_id=cookie.value) is not None
        assert tickets.redeem_ticket(session=session, ticket=agent_ticket, kind=SessionKind.AGENT) is None


@pytest.mark.parametrize(
    ("route", "cookie", "login"),
    [
        (routes.CLOSE_SESSION, SESSION_COOKIE, routes.LOGIN),
        (routes.CLOSE_AGENT_SESSION, AGENT_SESSION_COOKIE, routes.ADMIN_LOGIN),
    ],
)
def test_closing_expires_the_cookie(client: TestClient, route: str, cookie: str, login: str) -> None:
    response = client.get(route, headers={"Cookie": f"{cookie}=whatever"})
    assert (response.status_code, response.headers["location"]) == (303, login)
    expired = _set_cookie(response)[cookie]
    assert expired.value == "" and expired["max-age"] == "0" and expired["path"] == "/"
    assert expired["httponly"] and expired["samesite"] == "strict"


def test_in_production_the_cookie_is_secure(client: TestClient, monkeypatch) -> None:
    ticket = _ticket()
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("MEDIALOG_API_TOKEN", "t" * 40)
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")  # production refuses the embedded broker
    monkeypatch.setenv("SMTP_URL", "smtp://127.0.0.1:25")  # and demands an SMTP server
    get_settings.cache_clear()
    try:
        response = client.get(routes.open_session_url(ticket))
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert response.status_code == 303
    cookie = _set_cookie(response)[SESSION_COOKIE]
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "strict"
