"""The agents' "File des affaires"."""

from __future__ import annotations

import reflex as rx

from rxapp.services import medialog
from rxapp.state.admin.views import QueueRowView, plural, row_view
from rxapp.state.auth import AgentAuthState
from rxapp.state.forms import is_flag, refuse_input
from rxapp.state.gate import SERVICE_UNAVAILABLE, agent_handler, in_session

STATUS_FILTERS = ("", *medialog.QUEUE_STATUSES)


class AdminQueueState(AgentAuthState):
    """ "File des affaires": filtered and paginated by the service."""

    status_filter: str = ""
    complex_only: bool = False
    overdue_only: bool = False
    page_number: int = 1
    pages: int = 1
    total: int = 0
    rows: list[QueueRowView] = []
    loaded: bool = False
    error: str = ""

    @rx.var
    def summary(self) -> str:
        """How many affaires match, announced when the filters change."""
        if not self.loaded:
            return ""
        return plural(self.total, "affaire", "affaires") if self.total else "Aucune affaire."

    def _forget(self) -> None:
        self.rows, self.total, self.pages, self.loaded = [], 0, 1, False

    def _show_unavailable(self) -> None:
        self._forget()
        self.error = SERVICE_UNAVAILABLE

    async def _reload(
        self,
        agent_id: int,
        *,
        status: str | None = None,
        complex_only: bool | None = None,
        overdue_only: bool | None = None,
        page: int | None = None,
    ) -> None:
        """Apply the changed filters, then read the page (the gate has checked the session)."""
        self.error = ""
        if status is not None:
            self.status_filter = status
        if complex_only is not None:
            self.complex_only = complex_only
        if overdue_only is not None:
            self.overdue_only = overdue_only
        if page is not None:
            self.page_number = page
        result = await in_session(
            medialog.affaire_queue,
            agent_id=agent_id,
            status=self.status_filter,
            complex_only=self.complex_only,
            overdue_only=self.overdue_only,
            page=self.page_number,
        )
        self.rows = [row_view(row) for row in result.rows]
        self.total, self.page_number, self.pages = result.total, result.page, result.pages
        self.loaded = True

    @rx.event
    @agent_handler
    async def load(self, agent_id: int):
        """on_load: the queue with the filters the agent last chose."""
        await self._reload(agent_id)

    @rx.event
    @agent_handler
    async def filter_status(self, agent_id: int, value: str):
        """The "Statut" select: "", "nouvelle", "en_cours" or "cloturee"."""
        if not isinstance(value, str) or value not in STATUS_FILTERS:
            refuse_input(self, "filter_status", "unknown_status")
            return
        await self._reload(agent_id, status=value, page=1)

    @rx.event
    @agent_handler
    async def filter_complex(self, agent_id: int, checked: bool):
        """ "Cas complexes uniquement"."""
        if not is_flag(checked):
            refuse_input(self, "filter_complex", "not_a_boolean")
            return
        await self._reload(agent_id, complex_only=checked, page=1)

    @rx.event
    @agent_handler
    async def filter_overdue(self, agent_id: int, checked: bool):
        """ "En retard uniquement"."""
        if not is_flag(checked):
            refuse_input(self, "filter_overdue", "not_a_boolean")
            return
        await self._reload(agent_id, overdue_only=checked, page=1)

    @rx.event
    @agent_handler
    async def previous_page(self, agent_id: int):
        """ "Page précédente"."""
        await self._reload(agent_id, page=max(1, self.page_number - 1))

    @rx.event
    @agent_handler
    async def next_page(self, agent_id: int):
        """ "Page suivante" (the service keeps the page within range)."""
        await self._reload(agent_id, page=self.page_number + 1)
