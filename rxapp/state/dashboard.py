"""The insured's dashboard (tableau de bord)."""

from __future__ import annotations

import asyncio

import reflex as rx
from sqlalchemy.exc import SQLAlchemyError

from rxapp import routes
from rxapp.db import session_scope
from rxapp.services.account import Greeting, greeting_for
from rxapp.state.auth import SERVICE_UNAVAILABLE, AuthState


def _greeting(account_id: int) -> Greeting:
    with session_scope() as session:
        return greeting_for(session=session, account_id=account_id)


class DashboardState(AuthState):
    display_name: str = ""
    last_connection: str = ""
    unavailable: str = ""

    @rx.event
    async def load(self):
        """on_load: re-check the session, then read what the page shows."""
        try:
            account_id = await self._current_account_id()
            greeting = await asyncio.to_thread(_greeting, account_id) if account_id else None
        except SQLAlchemyError:
            self.unavailable = SERVICE_UNAVAILABLE
            return None
        self.unavailable = ""
        if greeting is None:
            self.display_name = ""
            return rx.redirect(routes.LOGIN)
        self.display_name = greeting.display_name
        self.last_connection = greeting.last_connection
        return None
