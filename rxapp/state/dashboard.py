"""The insured's dashboard (tableau de bord)."""

from __future__ import annotations

import asyncio

import reflex as rx

from rxapp import routes
from rxapp.db import session_scope
from rxapp.services.account import Greeting, greeting_for
from rxapp.state.auth import AuthState


def _greeting(account_id: int) -> Greeting:
    with session_scope() as session:
        return greeting_for(session=session, account_id=account_id)


class DashboardState(AuthState):
    display_name: str = ""
    last_connection: str = ""

    @rx.event
    async def load(self):
        """on_load: re-check the session, then read what the page shows."""
        account_id = await self._current_account_id()
        if account_id is None:
            self.display_name = ""
            return rx.redirect(routes.LOGIN)
        greeting = await asyncio.to_thread(_greeting, account_id)
        self.display_name = greeting.display_name
        self.last_connection = greeting.last_connection
        return None
