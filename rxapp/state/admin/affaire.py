"""One affaire and the agent's actions on it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import reflex as rx

from rxapp import queue as task_queue
from rxapp import routes
from rxapp.services import medialog
from rxapp.services.formatting import format_day, format_moment
from rxapp.services.nir import format_nir
from rxapp.state.admin import views
from rxapp.state.admin.views import DetailLineView, HistoryView
from rxapp.state.auth import AgentAuthState
from rxapp.state.forms import affaire_reference, refuse_input, transfer_reason
from rxapp.state.gate import SERVICE_UNAVAILABLE, agent_handler, in_session

TAKEN = "Vous avez pris l'affaire en charge."
PROGRES_UPDATED = "Progrès est à jour : la transmission vers l'organisme choisi est réactivée."
CLOSED = "Affaire clôturée. L'assuré en sera informé dans son compte ameli."
TRANSFERRED = "Affaire transférée à la CPAM de Digne : elle ne figure plus dans votre file."
NO_AFFAIRE = "Ouvrez une affaire depuis la file avant d'agir."


class AdminAffaireState(AgentAuthState):
    """One affaire and the agent's actions on it.

    The affaire acted on is the one this state loaded, kept in a backend-only
    var: no handler takes an affaire id from the browser.
    """

    _affaire_id: int | None = None
    reference: str = ""
    insured: str = ""
    nir: str = ""
    cpam: str = ""
    status: str = ""
    owner: str = ""
    complex_label: str = ""
    created: str = ""
    due: str = ""
    lines: list[DetailLineView] = []
    history: list[HistoryView] = []
    loaded: bool = False
    error: str = ""
    message: str = ""
    # The `?ref=` all of the above was read for: the page shows it only at that address.
    read_for: str = ""

    def _forget(self) -> None:
        self._affaire_id = None
        self.reference = self.insured = self.nir = self.cpam = ""
        self.status = self.owner = self.complex_label = self.created = self.due = ""
        self.lines, self.history, self.loaded = [], [], False

    def _show(self, detail: medialog.AffaireDetail) -> None:
        self._affaire_id = detail.affaire_id
        self.reference = detail.reference
        self.insured, self.nir, self.cpam = (
            views.person_name(detail.insured),
            format_nir(detail.nir),
            detail.cpam,
        )
        self.status = views.STATUS_LABELS[detail.status]
        self.owner = views.owner_label(detail.owner)
        self.complex_label = views.complex_label(detail.is_complex)
        self.created, self.due = format_moment(detail.created), format_day(detail.due)
        self.lines = [views.line_view(line) for line in detail.lines]
        self.history = [views.history_view(entry) for entry in detail.history]
        self.loaded = True

    def _show_unavailable(self) -> None:
        self.error = SERVICE_UNAVAILABLE

    async def _refresh(self, agent_id: int) -> None:
        """Read the loaded affaire again; forget it when the agent may no longer see it."""
        if self._affaire_id is None:
            return
        try:
            self._show(
                await in_session(medialog.affaire_detail, agent_id=agent_id, affaire_id=self._affaire_id)
            )
        except medialog.AffaireRefused:
            self._forget()

    @rx.event
    @agent_handler
    async def load(self, agent_id: int):
        """on_load: the affaire named by `?ref=`, if the agent's CPAM handles it."""
        self._forget()
        self.error = self.message = ""
        self.read_for = self.router.url.query_parameters.get(routes.AFFAIRE_PARAMETER, "")
        reference = affaire_reference(self.read_for)
        try:
            if reference is None:
                refuse_input(self, "load", "malformed_reference", forged=False)
                raise medialog.AffaireRefused(medialog.NOT_YOURS)
            # An unknown reference gets the same answer as another CPAM's.
            affaire_id = await in_session(
                medialog.affaire_id_for_reference, agent_id=agent_id, reference=reference
            )
            self._show(await in_session(medialog.affaire_detail, agent_id=agent_id, affaire_id=affaire_id))
        except medialog.AffaireRefused as refusal:
            self.error = str(refusal)

    async def _act(
        self,
        agent_id: int,
        action: Callable[..., Any],
        success: str,
        *,
        then: Callable[[Any], object] | None = None,
        refusal: str = "",
        **arguments: Any,
    ) -> None:
        """Run `action` on the loaded affaire as the session's agent, then show it again.

        Args:
            agent_id: the session's agent.
            action: the service function.
            success: the message shown when it succeeds.
            then: run with the action's result once its transaction has committed.
            refusal: when set, the message for arguments that failed their check.
            **arguments: the action's other arguments.
        """
        self.error = self.message = ""
        if self._affaire_id is None:
            self.error = NO_AFFAIRE
            return
        if refusal:
            self.error = refusal
            return
        try:
            result = await in_session(action, agent_id=agent_id, affaire_id=self._affaire_id, **arguments)
        except medialog.AffaireRefused as refused:
            self.error = str(refused)
        else:
            self.message = success
            if then is not None:
                await asyncio.to_thread(then, result)
        await self._refresh(agent_id)

    @rx.event
    @agent_handler
    async def take_charge(self, agent_id: int):
        """ "Prendre en charge"."""
        await self._act(agent_id, medialog.take_charge, TAKEN)

    @rx.event
    @agent_handler
    async def update_progres(self, agent_id: int):
        """ "Mettre à jour Progrès"."""
        await self._act(agent_id, medialog.update_progres, PROGRES_UPDATED)

    @rx.event
    @agent_handler
    async def close_affaire(self, agent_id: int):
        """ "Clôturer l'affaire"; the closure tasks are queued after the commit.

        A broker outage is caught by the periodic closure sweep.
        """
        await self._act(agent_id, medialog.close_affaire, CLOSED, then=task_queue.queue_closure)

    @rx.event
    @agent_handler
    async def transfer_to_digne(self, agent_id: int, form_data: dict[str, Any]):
        """ "Transférer à la CPAM de Digne", with the reason typed in the form.

        Only the reason is read from the form: any other field is ignored.
        """
        reason = transfer_reason(form_data)
        if reason is None:
            refuse_input(self, "transfer_to_digne", "reason", forged=False)
            await self._act(agent_id, medialog.transfer_to_digne, TRANSFERRED, refusal=medialog.REASON_NEEDED)
            return
        await self._act(agent_id, medialog.transfer_to_digne, TRANSFERRED, reason=reason)
