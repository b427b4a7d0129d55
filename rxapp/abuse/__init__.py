"""Abuse resistance on the websocket: event budgets, and logs a flood cannot inflate (issue 15).

- `namespace`: Reflex's socket.io namespace behind `EventGuard` (installed before `rx.App`).
- `guard`: the budgets per connection and per client address, and the aggregated refusals.
- `faults`: what the app logs when a handler fails: a forged event's failure in one
  line without traceback, a real server fault with its traceback (once a minute per
  connection; the rest are counted).
"""

from __future__ import annotations

import functools

from rxapp.abuse.guard import EventGuard
from rxapp.settings import get_settings


@functools.cache
def event_guard() -> EventGuard:
    """This process's guard (built on first use, from the settings)."""
    from rxapp.state.admin import AgentLoginState
    from rxapp.state.login import LoginState

    login_handlers = frozenset(f"{state.get_full_name()}.submit" for state in (LoginState, AgentLoginState))
    return EventGuard(settings=get_settings(), login_handlers=login_handlers)


def install_event_guard() -> None:
    """Put the guarded namespace in Reflex's place; call it before `rx.App(...)`."""
    from rxapp.abuse.namespace import install_event_guard as install

    install()
