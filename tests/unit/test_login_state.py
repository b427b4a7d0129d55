"""The login handler, called as any websocket client could call it."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from rxapp import routes
from rxapp.db import get_engine
from rxapp.models import SessionKind
from rxapp.services import auth
from rxapp.services.auth import BAD_CREDENTIALS
from rxapp.settings import get_settings
from rxapp.state.auth import AuthState
from rxapp.state.gate import SERVICE_UNAVAILABLE
from rxapp.state.login import LoginState
from tests.support.handlers import insured_session, redeem, run, substate, with_insured_cookie


@pytest.fixture
def login_state() -> LoginState:
    return substate(LoginState)


def _submit(state: LoginState, form_data: object) -> list:
    return run(LoginState.submit, state, form_data)


@pytest.mark.parametrize("form_data", [None, [], "nir", {"nir": 1, "code": 2}, {"nir": "1741171270102"}])
def test_malformed_form_data_is_refused_without_a_session(login_state: LoginState, form_data: object) -> None:
    assert _submit(login_state, form_data) == []
    assert login_state.error == BAD_CREDENTIALS
    assert login_state.page_load == ""


def test_malformed_nir_is_refused_before_any_lookup(login_state: LoginState, monkeypatch) -> None:
    # A database that cannot answer proves no lookup happens for a malformed NIR.
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:1/none")
    get_settings.cache_clear()
    from rxapp.db import get_engine

    get_engine.cache_clear()
    try:
        assert _submit(login_state, {"nir": "3 74 11 71 270 102", "code": "x"}) == []
        assert "commence par 1 ou 2" in login_state.error
    finally:
        get_settings.cache_clear()
        get_engine.cache_clear()


def test_unreachable_database_gives_a_french_message(login_state: LoginState, monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:1/none")
    get_settings.cache_clear()
    from rxapp.db import get_engine

    get_engine.cache_clear()
    try:
        assert _submit(login_state, {"nir": "1 74 11 71 270 102", "code": "Demo2026!"}) == []
        assert login_state.error == SERVICE_UNAVAILABLE
        assert login_state.page_load == ""
    finally:
        get_settings.cache_clear()
        get_engine.cache_clear()


def test_a_valid_login_hands_a_single_use_ticket_for_the_cookie(login_state: LoginState, demo_app) -> None:
    assert _submit(login_state, {"nir": "1 74 11 71 270 102 58", "code": "Demo2026!"}) == []
    assert login_state.error == ""
    # The browser loads the ticket's URL as a whole page; the route sets the cookie there.
    assert login_state.page_load.startswith(routes.OPEN_SESSION + "?ticket=")
    session_id = redeem(login_state.page_load, SessionKind.INSURED)
    assert session_id and session_id not in login_state.page_load
    assert redeem(login_state.page_load, SessionKind.INSURED) is None
    with Session(get_engine()) as session:
        account = auth.account_for_session(session=session, session_id=session_id)
        assert account is not None


def test_logout_revokes_the_session_and_loads_the_route_that_expires_the_cookie(demo_app) -> None:
    session_id = insured_session("1 74 11 71 270 102 58")
    state = with_insured_cookie(substate(AuthState), session_id)
    assert run(AuthState.logout, state) == []
    assert state.page_load.startswith(routes.CLOSE_SESSION + "?")
    with Session(get_engine()) as session:
        assert auth.account_for_session(session=session, session_id=session_id) is None


def test_logout_with_the_database_down_still_expires_the_cookie(monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:1/none")
    get_settings.cache_clear()
    from rxapp.db import get_engine

    get_engine.cache_clear()
    state = with_insured_cookie(substate(AuthState), "some-session-id")
    try:
        assert run(AuthState.logout, state) == []
    finally:
        get_settings.cache_clear()
        get_engine.cache_clear()
    assert state.page_load.startswith(routes.CLOSE_SESSION + "?")
