"""The login handler, called as any websocket client could call it."""

from __future__ import annotations

import asyncio

import pytest
import reflex as rx
from reflex.istate.data import ReflexURL, RouterData

from rxapp.services.auth import BAD_CREDENTIALS
from rxapp.services.franceconnect import REFUSALS
from rxapp.settings import get_settings
from rxapp.state.auth import SERVICE_UNAVAILABLE
from rxapp.state.login import LoginState


@pytest.fixture
def login_state() -> LoginState:
    root = rx.State(_reflex_internal_init=True)
    return root.get_substate(LoginState.get_full_name().split("."))


def _submit(state: LoginState, form_data: object) -> list:
    async def run() -> list:
        return [event async for event in LoginState.submit.fn(state, form_data)]

    return asyncio.run(run())


@pytest.mark.parametrize("form_data", [None, [], "nir", {"nir": 1, "code": 2}, {"nir": "1741171270102"}])
def test_malformed_form_data_is_refused_without_a_session(login_state: LoginState, form_data: object) -> None:
    assert _submit(login_state, form_data) == []
    assert login_state.error == BAD_CREDENTIALS
    assert login_state.session_id == ""


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
        assert login_state.session_id == ""
    finally:
        get_settings.cache_clear()
        get_engine.cache_clear()


def test_logout_with_the_database_down_still_forgets_the_session(monkeypatch) -> None:
    from rxapp.state.auth import SESSION_COOKIE, AuthState

    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:1/none")
    get_settings.cache_clear()
    from rxapp.db import get_engine

    get_engine.cache_clear()
    root = rx.State(_reflex_internal_init=True)
    state = root.get_substate(AuthState.get_full_name().split("."))
    state.session_id = "some-session-id"
    try:

        async def run() -> list:
            return [event async for event in AuthState.logout.fn(state)]

        events = asyncio.run(run())
    finally:
        get_settings.cache_clear()
        get_engine.cache_clear()
    assert state.session_id == ""
    assert SESSION_COOKIE in str(events[0])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("franceconnect=identity", REFUSALS["identity"]),
        ("franceconnect=unavailable", REFUSALS["unavailable"]),
        ("franceconnect=%3Cscript%3Ealert(1)%3C/script%3E", ""),  # never the query's own text
        ("", ""),
    ],
)
def test_a_refused_franceconnect_login_is_told_in_french(
    login_state: LoginState, query: str, expected: str
) -> None:
    login_state.router = RouterData(url=ReflexURL(f"http://127.0.0.1:3000/?{query}"))
    assert login_state.franceconnect_error == expected
