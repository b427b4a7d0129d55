"""Medialog+ back office: agent login, queue, affaire, supervision, simulation.

Every handler re-checks the agent session in the database before reading or
writing anything, and checks its arguments' types: any websocket client can
call any handler with any arguments. Access to an affaire is decided by the
services (`rxapp.services.medialog`), never here.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
from collections.abc import Callable
from typing import Any

import reflex as rx
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from rxapp import queue as task_queue
from rxapp import routes
from rxapp.services import auth, medialog
from rxapp.state.auth import AgentAuthState
from rxapp.state.gate import SERVICE_UNAVAILABLE, agent_handler, in_session

logger = logging.getLogger(__name__)

REFERENCE_PATTERN = re.compile(r"AFF-\d{4}-[A-Z0-9]{8}")
STATUS_FILTERS = ("", *medialog.QUEUE_STATUSES)
MAX_FIELD_LENGTH = 120
MAX_MEMBER_NUMBER_LENGTH = 30  # the contract column's size
MAX_REASON_LENGTH = 300

TAKEN = "Vous avez pris l'affaire en charge."
PROGRES_UPDATED = "Progrès est à jour : la transmission vers l'organisme choisi est réactivée."
CLOSED = "Affaire clôturée. L'assuré en sera informé dans son compte ameli."
TRANSFERRED = "Affaire transférée à la CPAM de Digne : elle ne figure plus dans votre file."
NO_AFFAIRE = "Ouvrez une affaire depuis la file avant d'agir."
SIMULATED = (
    "Contrat ajouté. Le prochain passage de la détection bloquera la transmission et l'assuré "
    "verra la fenêtre à sa prochaine connexion."
)
SIMULATION_FIELDS = "Renseignez le NIR, le prénom du bénéficiaire et l'organisme."
MEMBER_NUMBER_TOO_LONG = f"Le numéro d'adhérent fait {MAX_MEMBER_NUMBER_LENGTH} caractères au plus."


def _plural(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count == 1 else plural}"


# --- views: display strings only ------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class QueueRowView:
    reference: str
    url: str
    insured: str
    beneficiaries: str
    created: str
    due: str
    status: str
    owner: str
    complex_label: str
    overdue: bool


@dataclasses.dataclass(frozen=True)
class DetailLineView:
    beneficiary: str
    birth_date: str
    chosen_organisation: str
    chosen_member_number: str
    chosen_start: str
    rejected_organisation: str
    rejected_member_number: str
    rejected_start: str


@dataclasses.dataclass(frozen=True)
class HistoryView:
    at: str
    agent: str
    action: str
    detail: str


@dataclasses.dataclass(frozen=True)
class CountView:
    label: str
    count: str


@dataclasses.dataclass(frozen=True)
class OrganisationOption:
    value: str
    name: str


def _row_view(row: medialog.QueueRow) -> QueueRowView:
    return QueueRowView(
        reference=row.reference,
        url=routes.admin_affaire_url(row.reference),
        insured=row.insured,
        beneficiaries=str(row.beneficiaries),
        created=row.created,
        due=row.due,
        status=row.status,
        owner=row.owner or "Non attribuée",
        complex_label="Oui" if row.is_complex else "Non",
        overdue=row.overdue,
    )


# --- database work, run in a thread -----------------------------------------------------------


def _login(*, session: Session, login: str, password: str) -> str:
    return auth.login_agent(session=session, login=login, password=password).session_id


def _form_text(form_data: object, name: str) -> str | None:
    """A text field of submitted form data, or None when the data is not what a form sends."""
    if not isinstance(form_data, dict):
        return None
    value = form_data.get(name, "")
    return value if isinstance(value, str) and len(value) <= MAX_FIELD_LENGTH else None


# --- states -------------------------------------------------------------------------------------


class AgentLoginState(AgentAuthState):
    """The agents' login form."""

    error: str = ""

    @rx.event
    async def submit(self, form_data: dict[str, Any]):
        """Check the login and password; the password is never kept in state."""
        login = form_data.get("login") if isinstance(form_data, dict) else None
        password = form_data.get("password") if isinstance(form_data, dict) else None
        if not isinstance(login, str) or not isinstance(password, str):
            self.error = auth.BAD_AGENT_CREDENTIALS
            return
        try:
            session_id = await in_session(_login, login=login, password=password)
        except auth.LoginRefused as refusal:
            self.error = str(refusal)
            return
        except SQLAlchemyError as error:
            logger.error("Agent login impossible, database error: %s", type(error).__name__)
            self.error = SERVICE_UNAVAILABLE
            return
        # Whatever this tab showed before belongs to whoever used it before.
        await self._forget_agent_data()
        self.agent_session_id = session_id
        yield rx.redirect(routes.ADMIN_QUEUE)


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
        return _plural(self.total, "affaire", "affaires") if self.total else "Aucune affaire."

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
        self.rows = [_row_view(row) for row in result.rows]
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
        if isinstance(value, str) and value in STATUS_FILTERS:
            await self._reload(agent_id, status=value, page=1)

    @rx.event
    @agent_handler
    async def filter_complex(self, agent_id: int, checked: bool):
        """ "Cas complexes uniquement"."""
        if isinstance(checked, bool):
            await self._reload(agent_id, complex_only=checked, page=1)

    @rx.event
    @agent_handler
    async def filter_overdue(self, agent_id: int, checked: bool):
        """ "En retard uniquement"."""
        if isinstance(checked, bool):
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

    @rx.var
    def page_title(self) -> str:
        """The browser title, naming the affaire once it is shown."""
        prefix = "Erreur : " if self.error else ""
        name = f"Affaire {self.reference}" if self.reference else "Affaire"
        return f"{prefix}{name} | Medialog+"

    def _forget(self) -> None:
        self._affaire_id = None
        self.reference = self.insured = self.nir = self.cpam = ""
        self.status = self.owner = self.complex_label = self.created = self.due = ""
        self.lines, self.history, self.loaded = [], [], False

    def _show(self, detail: medialog.AffaireDetail) -> None:
        self._affaire_id = detail.affaire_id
        self.reference = detail.reference
        self.insured, self.nir, self.cpam = detail.insured, detail.nir, detail.cpam
        self.status = detail.status
        self.owner = detail.owner or "Non attribuée"
        self.complex_label = "Oui" if detail.is_complex else "Non"
        self.created, self.due = detail.created, detail.due
        self.lines = [
            DetailLineView(
                line.beneficiary,
                line.birth_date,
                line.chosen.organisation,
                line.chosen.member_number,
                line.chosen.start,
                line.rejected.organisation,
                line.rejected.member_number,
                line.rejected.start,
            )
            for line in detail.lines
        ]
        self.history = [HistoryView(h.at, h.agent, h.action, h.detail) for h in detail.history]
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
        reference = self.router.url.query_parameters.get("ref", "")
        try:
            if not isinstance(reference, str) or not REFERENCE_PATTERN.fullmatch(reference):
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
        then: Callable[[Any], None] | None = None,
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
        reason = form_data.get("reason") if isinstance(form_data, dict) else None
        if not isinstance(reason, str) or not reason.strip() or len(reason) > MAX_REASON_LENGTH:
            await self._act(agent_id, medialog.transfer_to_digne, TRANSFERRED, refusal=medialog.REASON_NEEDED)
            return
        await self._act(agent_id, medialog.transfer_to_digne, TRANSFERRED, reason=reason)


class AdminSupervisionState(AgentAuthState):
    """Backlog, processing time against the 7-day target, satisfaction, overdue affaires."""

    backlog: list[CountView] = []
    processing: list[dict[str, str | int]] = []
    processing_rows: list[CountView] = []
    processing_summary: str = ""
    within_target: str = ""
    satisfaction: str = ""
    overdue: list[QueueRowView] = []
    loaded: bool = False
    error: str = ""

    def _forget(self) -> None:
        self.backlog, self.processing, self.processing_rows, self.overdue = [], [], [], []
        self.processing_summary = self.within_target = self.satisfaction = ""
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
        self.processing_summary = (
            "Affaires clôturées par délai de traitement : "
            + " ; ".join(
                f"{label} : {_plural(count, 'affaire', 'affaires')}"
                for label, count in figures.processing_days
            )
            + "."
        )
        closed_word = "affaire clôturée" if figures.within_target == 1 else "affaires clôturées"
        self.within_target = (
            f"{figures.within_target} {closed_word} sur {figures.closed} dans le délai de 7 jours"
        )
        if figures.satisfaction_rate is None:
            self.satisfaction = "Aucune réponse"
        else:
            answers = _plural(figures.satisfaction_answers, "réponse", "réponses")
            self.satisfaction = (
                f"Taux de satisfaction : {round(figures.satisfaction_rate * 100)} % ({answers})"
            )
        self.overdue = [_row_view(row) for row in figures.overdue]
        self.loaded = True


class AdminSimulationState(AgentAuthState):
    """ "Simuler un flux NOEMIE": a new OC contract, for demos and tests."""

    organisations: list[OrganisationOption] = []
    error: str = ""
    message: str = ""

    def _forget(self) -> None:
        self.organisations = []

    def _show_unavailable(self) -> None:
        self.error = SERVICE_UNAVAILABLE

    @rx.event
    @agent_handler
    async def load(self, _agent_id: int):
        """on_load: re-check the session, then list the organisations."""
        self.error = self.message = ""
        rows = await in_session(medialog.organisations_for_simulation)
        self.organisations = [
            OrganisationOption(str(organisation_id), name) for organisation_id, name in rows
        ]

    @rx.event
    @agent_handler
    async def simulate(self, agent_id: int, form_data: dict[str, Any]):
        """ "Simuler un flux NOEMIE": the service checks the person belongs to the agent's CPAM."""
        self.error = self.message = ""
        nir = _form_text(form_data, "nir")
        first_name = _form_text(form_data, "first_name")
        organisation = _form_text(form_data, "organisation")
        member_number = _form_text(form_data, "member_number")
        if (
            not nir
            or not nir.strip()
            or not first_name
            or not first_name.strip()
            or not organisation
            or not organisation.isdigit()
            or len(organisation) > 9
            or member_number is None
        ):
            self.error = SIMULATION_FIELDS
            return
        member_number = member_number.strip()
        if len(member_number) > MAX_MEMBER_NUMBER_LENGTH:
            self.error = MEMBER_NUMBER_TOO_LONG
            return
        try:
            await in_session(
                medialog.simulate_noemie_flow,
                agent_id=agent_id,
                nir=nir,
                beneficiary_first_name=first_name,
                organisation_id=int(organisation),
                member_number=member_number,
            )
        except medialog.AffaireRefused as refused:
            self.error = str(refused)
            return
        self.message = SIMULATED
