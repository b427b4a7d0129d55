"""The base of every insured state: the session cookie, re-checked server-side."""

from __future__ import annotations

import asyncio

import reflex as rx

from rxapp import routes
from rxapp.db import session_scope
from rxapp.services import auth

SESSION_COOKIE = "ameli_session"
SERVICE_UNAVAILABLE = "Service momentanément indisponible. Réessayez dans quelques instants."


def _account_id_for(session_id: str) -> int | None:
    with session_scope() as session:
        account = auth.account_for_session(session=session, session_id=session_id)
        return account.id if account else None


def _end(session_id: str) -> None:
    with session_scope() as session:
        auth.end_session(session=session, session_id=session_id)


class AuthState(rx.State):
    """Holds only the opaque session id; every handler asks the database who it is."""

    session_id: str = rx.Cookie("", name=SESSION_COOKIE, same_site="strict", max_age=8 * 3600)

    async def _current_account_id(self) -> int | None:
        """The account of the live session, or None (expired, revoked, forged)."""
        if not self.session_id:
            return None
        return await asyncio.to_thread(_account_id_for, self.session_id)

    @rx.event
    async def logout(self):
        """Se déconnecter: revoke the session server-side, then forget the cookie."""
        if self.session_id:
            await asyncio.to_thread(_end, self.session_id)
        self.session_id = ""
        yield rx.remove_cookie(SESSION_COOKIE)
        yield rx.redirect(routes.LOGIN)
