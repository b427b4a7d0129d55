"""The agents' supervision page: backlog, processing time, satisfaction, overdue affaires."""

from __future__ import annotations

import reflex as rx

from rxapp.services import medialog
from rxapp.state.admin.views import CountView, QueueRowView, plural, row_view
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
        self.backlog = [CountView(label, str(count)) for label, count in figures.backlog.items()]
        over_target = len(medialog.PROCESSING_BUCKETS)  # the last bucket is beyond 7 days
        self.processing = [
            {"label": label, "affaires": count, "fill": "#b91c1c" if index >= over_target else "#0c419a"}
            for index, (label, count) in enumerate(figures.processing_days)
        ]
        self.processing_rows = [CountView(label, str(count)) for label, count in figures.processing_days]
        closed_word = "affaire clôturée" if figures.within_target == 1 else "affaires clôturées"
        self.within_target = (
            f"{figures.within_target} {closed_word} sur {figures.closed} dans le délai de 7 jours"
        )
        if figures.satisfaction_rate is None:
            self.satisfaction = "Aucune réponse"
        else:
            answers = plural(figures.satisfaction_answers, "réponse", "réponses")
            self.satisfaction = (
                f"Taux de satisfaction : {round(figures.satisfaction_rate * 100)} % ({answers})"
            )
        self.overdue = [row_view(row) for row in figures.overdue]
        self.loaded = True
