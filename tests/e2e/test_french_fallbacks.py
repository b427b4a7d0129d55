"""What a visitor sees when something goes wrong is French and accessible: the page at an unknown
address, the banner while the server is unreachable, and the error boundary.

The connection and the rendering error are provoked from the browser's side, on the real
websocket: the browser taken offline, and Playwright's websocket routing. No route or code path
exists for tests in the app. Stopping the shared app for real would end it for the rest of the
session.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, WebSocketRoute, expect

from rxapp.components.app_wraps import CONNECTION_LOST, ERROR_TITLE, RELOAD
from tests.e2e.helpers import LOGIN_HEADING, assert_accessible, log_in, log_in_as

JULIE = "2 95 07 01 053 089 53"  # no overlap: no dialog over the dashboard
EVENT_SOCKET = re.compile(r"/_event")
SOCKET_IO_PREFIX = re.compile(r"\d+(/[^,\[{]*,)?")


@pytest.mark.viewports("desktop")
@pytest.mark.console_errors(r"status of 404")  # the browser reports the document's 404 status
def test_an_unknown_address_shows_a_french_page_with_a_way_back(page: Page, viewport: str) -> None:
    response = page.goto("/cette-page-n-existe-pas")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1, name="Page introuvable")).to_be_visible()
    expect(page).to_have_title("Page introuvable | Compte ameli")
    expect(page.get_by_role("link", name="Retourner à l'accueil de votre compte")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name=LOGIN_HEADING).click()
    expect(page.get_by_role("heading", level=1, name=LOGIN_HEADING)).to_be_visible()


def _frames_from_server(page: Page, rewrite: Callable[[str], str]) -> None:
    """Pass the app's websocket through, with each frame from the server rewritten by `rewrite`."""

    def route(socket: WebSocketRoute) -> None:
        server = socket.connect_to_server()
        server.on_message(lambda frame: socket.send(rewrite(frame) if isinstance(frame, str) else frame))

    page.route_web_socket(EVENT_SOCKET, route)


@pytest.mark.viewports("desktop")
@pytest.mark.console_errors(r"ERR_INTERNET_DISCONNECTED")  # the browser reports each failed attempt
def test_the_banner_says_in_french_that_the_connection_is_lost_then_goes(page: Page, viewport: str) -> None:
    log_in(page, "1 74 13 71 270 102")  # a malformed NIR: the answer proves the socket works
    expect(page.get_by_role("alert")).to_contain_text("entre 01 et 12")
    banner = page.get_by_role("status").filter(has_text=CONNECTION_LOST)
    expect(banner).to_have_count(0)

    # The server out of reach: offline, the browser drops the socket, and each new attempt fails at
    # once, as against a stopped server's closed port. (A server that hangs instead shows the same
    # banner after socket.io's 20 s connect timeout.) Chromium leaves `localhost` online: the app
    # under test is served on 127.0.0.1, which it does take offline.
    page.context.set_offline(True)
    expect(banner).to_be_visible()
    expect(banner).to_have_attribute("aria-live", "polite")
    assert_accessible(page)

    page.context.set_offline(False)  # back: the next attempt (Reflex retries with a backoff) connects
    expect(banner).to_have_count(0)
    log_in_as(page, JULIE, "Julie PETIT")


def _corrupt_display_name(frame: str) -> str:
    """Turn the greeting's name into an object, which React cannot render."""
    if '"display_name' not in frame:
        return frame
    prefix = SOCKET_IO_PREFIX.match(frame).group()  # packet type and namespace: 42/_event,
    payload = json.loads(frame[len(prefix) :])

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {
                key: {"corrompu": True} if key.startswith("display_name") and value else walk(value)
                for key, value in node.items()
            }
        if isinstance(node, list):
            return [walk(item) for item in node]
        return node

    return prefix + json.dumps(walk(payload))


@pytest.mark.viewports("desktop")
@pytest.mark.console_errors(r"React error #31")  # "Objects are not valid as a React child"
def test_a_rendering_error_shows_a_french_message_and_a_reload_button(page: Page, viewport: str) -> None:
    corrupting = True
    _frames_from_server(page, lambda frame: _corrupt_display_name(frame) if corrupting else frame)
    log_in(page, JULIE)

    alert = page.get_by_role("alert").filter(has=page.get_by_role("heading", level=1, name=ERROR_TITLE))
    expect(alert).to_be_visible()
    expect(page).to_have_title(f"{ERROR_TITLE} | Compte ameli")
    expect(page.get_by_text("An error occurred")).to_have_count(0)
    assert_accessible(page)

    corrupting = False
    page.get_by_role("button", name=RELOAD).click()
    expect(page.get_by_text("Bonjour Julie PETIT", exact=True)).to_be_visible()
