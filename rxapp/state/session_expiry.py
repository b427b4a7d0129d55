"""The session expiry warning (RGAA 13.1): the page warns before the idle expiry ends the session
and offers "Prolonger", which extends it server-side.

A background watch per tab reads the time left without restarting the idle clock (only the
person's own actions do), sleeps until the warning is due, then checks every few seconds
until the session is extended (here or in another tab) or over.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import reflex as rx
from sqlalchemy.exc import SQLAlchemyError

from rxapp.models import SessionKind
from rxapp.services import session_expiry
from rxapp.services.privacy import duration
from rxapp.settings import get_settings
from rxapp.state.auth import AgentAuthState, AuthState, idle_timeout
from rxapp.state.gate import agent_handler, in_session, insured_handler

# Between two reads while the warning is shown; and the longest sleep before it is due.
WARNING_POLL = timedelta(seconds=3)
LONGEST_SLEEP = timedelta(minutes=5)


def warning_lead() -> timedelta:
    return get_settings().expiry_warning


def extended_message() -> str:
    return f"Votre session est prolongée : elle reste ouverte {duration(idle_timeout())} après votre dernière action."


def _next_check(left: timedelta) -> float:
    wait = left - warning_lead() if left > warning_lead() else min(left, WARNING_POLL)
    return min(max(wait.total_seconds(), 1.0), LONGEST_SLEEP.total_seconds())


class ExpiryMixin(rx.State, mixin=True):
    """What the warning shows; shared by the insured and the agent states."""

    expiry_warning: bool = False
    session_expired: bool = False
    # The polite live region's text: what "Prolonger" did.
    expiry_announcement: str = ""
    _watching_expiry: bool = False

    def _expiry_session_id(self) -> str:
        raise NotImplementedError

    async def _watch(self: Any, kind: SessionKind) -> None:
        async with self:
            if self._watching_expiry:
                return
            self._watching_expiry = True
            self.expiry_warning = self.session_expired = False
            session_id = self._expiry_session_id()
        try:
            while session_id:
                try:
                    left = await in_session(
                        session_expiry.time_left,
                        session_id=session_id,
                        kind=kind,
                        idle_timeout=idle_timeout(),
                    )
                except SQLAlchemyError:
                    await asyncio.sleep(WARNING_POLL.total_seconds())
                    continue
                async with self:
                    if self._expiry_session_id() != session_id:
                        return  # logged out, or another session in this tab: its own watch follows it
                    self.session_expired = left is None
                    self.expiry_warning = left is not None and left <= warning_lead()
                    if self.expiry_warning:
                        self.expiry_announcement = ""
                if left is None:
                    return
                await asyncio.sleep(_next_check(left))
        finally:
            async with self:
                self._watching_expiry = False

    async def _extend(self: Any, kind: SessionKind) -> None:
        extended = await in_session(
            session_expiry.extend,
            session_id=self._expiry_session_id(),
            kind=kind,
            idle_timeout=idle_timeout(),
        )
        self.expiry_warning = False
        self.session_expired = not extended
        self.expiry_announcement = extended_message() if extended else ""


class InsuredExpiryState(ExpiryMixin, AuthState):
    def _expiry_session_id(self) -> str:
        return self._session_id()

    @rx.event(background=True)
    async def watch_expiry(self):
        """Started by the warning's container when a signed-in page mounts."""
        await self._watch(SessionKind.INSURED)

    @rx.event
    @insured_handler
    async def extend_session(self, account_id: int):
        """Prolonger: restart the session's idle clock now."""
        await self._extend(SessionKind.INSURED)


class AgentExpiryState(ExpiryMixin, AgentAuthState):
    def _expiry_session_id(self) -> str:
        return self._agent_session_id()

    @rx.event(background=True)
    async def watch_expiry(self):
        """Started by the warning's container when a signed-in back-office page mounts."""
        await self._watch(SessionKind.AGENT)

    @rx.event
    @agent_handler
    async def extend_session(self, agent_id: int):
        """Prolonger: restart the agent session's idle clock now."""
        await self._extend(SessionKind.AGENT)
