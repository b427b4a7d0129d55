"""Calling Reflex event handlers the way any websocket client can, against a real database."""

from __future__ import annotations

import asyncio
import inspect
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import pytest
import reflex as rx
from reflex.istate.data import RouterData
from sqlalchemy.engine import make_url
from sqlmodel import Session

from rxapp.api.session import AGENT_SESSION_COOKIE, SESSION_COOKIE
from rxapp.db import get_engine
from rxapp.models import SessionKind
from rxapp.services import auth, tickets
from rxapp.settings import get_settings
from tests.support.databases import fresh_database
from tests.support.fingerprint import fingerprint

S = TypeVar("S", bound=rx.State)

INSURED_CODE = "Demo2026!"
AGENT_PASSWORD = "Agent2026!"


def substate(cls: type[S]) -> S:
    """A fresh state tree, as a new browser tab gets; the state of `cls` in it."""
    root = rx.State(_reflex_internal_init=True)
    return root.get_substate(cls.get_full_name().split("."))  # type: ignore[return-value]


def same_tab(state: rx.State, cls: type[S]) -> S:
    """The state of `cls` in the same tree (browser tab) as `state`."""
    root = state
    while root.parent_state is not None:
        root = root.parent_state
    return root.get_substate(cls.get_full_name().split("."))  # type: ignore[return-value]


def in_tab(state: S, *, path: str | None = None, cookie: str | None = None) -> S:
    """Set what the tab's websocket handshake carried: its page and its Cookie header.

    Args:
        state: any state of the tab.
        path: the page (with its query); unchanged when None.
        cookie: the whole Cookie header; unchanged when None.
    """
    current = state.router
    path = current.url or "/" if path is None else path
    cookie = current.headers.cookie if cookie is None else cookie
    state.router = RouterData.from_router_data(
        {
            "asPath": path,
            "pathname": path.split("?")[0],
            "headers": {"origin": "http://localhost", "cookie": cookie},
        }
    )
    return state


def with_insured_cookie(state: S, session_id: str) -> S:
    """The tab sends `session_id` in the insured session cookie, as a browser would."""
    return in_tab(state, cookie=f"{SESSION_COOKIE}={session_id}" if session_id else "")


def with_agent_cookie(state: S, session_id: str) -> S:
    """The tab sends `session_id` in the agent session cookie, as a browser would."""
    return in_tab(state, cookie=f"{AGENT_SESSION_COOKIE}={session_id}" if session_id else "")


def redeem(page_load: str, kind: SessionKind) -> str | None:
    """What the session route does with the ticket in a login's `page_load` URL: the cookie's value."""
    ticket = page_load.partition("?ticket=")[2]
    with Session(get_engine()) as session:
        session_id = tickets.redeem_ticket(session=session, ticket=ticket, kind=kind)
        session.commit()
    return session_id


def run(handler: Any, state: rx.State, *args: Any) -> list[Any]:
    """Run a handler as Reflex would; the list of the events it returned or yielded."""

    async def call() -> list[Any]:
        result = handler.fn(state, *args)
        if inspect.isasyncgen(result):
            return [event async for event in result]
        if inspect.isgenerator(result):
            return list(result)
        if asyncio.iscoroutine(result):
            result = await result
        if result is None:
            return []
        return list(result) if isinstance(result, list | tuple) else [result]

    return asyncio.run(call())


def redirects_to(events: list[Any], route: str) -> bool:
    """Whether one of the events is `rx.redirect(route)`."""
    return any(
        str(event.args[0][0]) == "path" and getattr(event.args[0][1], "_var_value", None) == route
        for event in events
        if getattr(event, "args", None)
    )


@contextmanager
def app_database(url: str) -> Iterator[None]:
    """Point the app's settings (and so every handler) at the database `url`."""
    patch = pytest.MonkeyPatch()
    patch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    get_engine.cache_clear()
    try:
        yield
    finally:
        get_engine().dispose()
        patch.undo()
        get_settings.cache_clear()
        get_engine.cache_clear()


@contextmanager
def copy_of(template_url: str, name: str) -> Iterator[str]:
    """A new PostgreSQL database copied from `template_url`, dropped afterwards; its URL."""
    base = make_url(template_url)
    server = base.set(database="postgres").render_as_string(hide_password=False)
    with fresh_database(server, f"{base.database}_{name}"[:63], template=base.database) as url:
        yield url


def insured_session(nir: str) -> str:
    """A live insured session on the app's database: the id its cookie would hold."""
    with Session(get_engine()) as session:
        opened = auth.login_insured(session=session, nir=nir, code=INSURED_CODE)
        session.commit()
    return opened.session_id


def agent_session(login: str) -> str:
    """A live agent session on the app's database: the id its cookie would hold."""
    with Session(get_engine()) as session:
        opened = auth.login_agent(session=session, login=login, password=AGENT_PASSWORD)
        session.commit()
    return opened.session_id


def unique_name() -> str:
    """A short name for a per-test database, unique across parallel runs."""
    test = os.environ.get("PYTEST_CURRENT_TEST", "test").split("::")[-1].split(" ")[0]
    return f"{os.getpid()}_{abs(hash(test)) % 10**8}"


def business_fingerprint() -> dict[str, str]:
    """An md5 of every row of each business table of the app's database: equal, nothing changed."""
    return fingerprint(get_engine())


def assert_refused_without_session(
    state: rx.State, name: str, args: tuple, *, login_route: str, sent_tasks: list, caplog: Any
) -> None:
    """Handler `name` of `state` (whose cookie is absent or dead) redirects to `login_route`,
    writes nothing, queues no task and logs exactly one `access_refused` naming itself."""
    cls = type(state)
    before = business_fingerprint()
    with caplog.at_level(logging.INFO, logger="rxapp.security"):
        events = run(getattr(cls, name), state, *args)
    assert redirects_to(events, login_route)
    assert business_fingerprint() == before
    assert sent_tasks == []
    refused = [r.getMessage() for r in caplog.records if "access_refused" in r.getMessage()]
    assert len(refused) == 1 and f"{cls.__name__}.{name}" in refused[0], refused
