"""The agents' supervision page: backlog, processing time, satisfaction, overdue affaires."""

from __future__ import annotations

import reflex as rx

from rxapp.services import medialog
from rxapp.state.admin import views
from rxapp.state.admin.views import CountView, QueueRowView
from rxapp.state.auth import AgentAuthState
from rxapp.state.gate import SERVICE_UNAVAILABLE, agent_handler, in_session


class AdminSupervisionState(AgentAuthState):
    """Backlog, processing time against the 7-day target, satisfaction, overdue affaires."""

    backlog: list[CountView] = []
    processing: list[dict[str, str | int]] = []
    processing_rows: list[CountView] = []
    within_target: str = ""
    satisfaction: str = ""
    overdue: list[QueueRowView] = []
    loaded: bool = False
    error: str = ""

    def _forget(self) -> None:
        self.backlog, self.processing, self.processing_rows, self.overdue = [], [], [], []
        self.within_target = self.satisfaction = ""
        self.loaded = False

    def _show_unavailable(self) -> None:
        self._forget()
        self.error = SERVICE_UNAVAILABLE

    @rx.event
    @agent_handler
    async def load(self, agent_id: int):
        """on_load: re-check the session, then read the figures of the agent's scope."""
        self.error = ""
        figures = await in_session(medialog.supervision_for, agent_id=agent_id)
        self.backlog = views.backlog_view(figures.backlog)
        self.processing = views.processing_bars(figures.processing_days)
        self.processing_rows = views.processing_views(figures.processing_days)
        self.within_target = views.within_target_text(figures.within_target, figures.closed)
        self.satisfaction = views.satisfaction_text(figures.satisfaction_rate, figures.satisfaction_answers)
        self.overdue = [views.row_view(row) for row in figures.overdue]
        self.loaded = True
