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
from typing import Any

import reflex as rx
from sqlalchemy.exc import SQLAlchemyError

from rxapp import queue as task_queue
from rxapp import routes
from rxapp.db import session_scope
from rxapp.services import auth, medialog
from rxapp.state.auth import SERVICE_UNAVAILABLE, AgentAuthState

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


def _login(login: str, password: str) -> str:
    with session_scope() as session:
        return auth.login_agent(session=session, login=login, password=password).session_id


def _queue(
    agent_id: int, status: str, complex_only: bool, overdue_only: bool, page: int
) -> medialog.QueuePage:
    with session_scope() as session:
        return medialog.affaire_queue(
            session=session,
            agent_id=agent_id,
            status=status,
            complex_only=complex_only,
            overdue_only=overdue_only,
            page=page,
        )


def _affaire_id_for_reference(agent_id: int, reference: str) -> int:
    with session_scope() as session:
        return medialog.affaire_id_for_reference(session=session, agent_id=agent_id, reference=reference)


def _detail(agent_id: int, affaire_id: int) -> medialog.AffaireDetail:
    with session_scope() as session:
        return medialog.affaire_detail(session=session, agent_id=agent_id, affaire_id=affaire_id)


def _take_charge(agent_id: int, affaire_id: int) -> None:
    with session_scope() as session:
        medialog.take_charge(session=session, agent_id=agent_id, affaire_id=affaire_id)


def _update_progres(agent_id: int, affaire_id: int) -> None:
    with session_scope() as session:
        medialog.update_progres(session=session, agent_id=agent_id, affaire_id=affaire_id)


def _close(agent_id: int, affaire_id: int) -> None:
    with session_scope() as session:
        closed_id = medialog.close_affaire(session=session, agent_id=agent_id, affaire_id=affaire_id)
    # Committed: the worker will find the affaire closed. A broker outage is
    # caught by the periodic closure sweep.
    task_queue.queue_closure(closed_id)


def _transfer(agent_id: int, affaire_id: int, reason: str) -> None:
    with session_scope() as session:
        medialog.transfer_to_digne(session=session, agent_id=agent_id, affaire_id=affaire_id, reason=reason)


def _supervision(agent_id: int) -> medialog.Supervision:
    with session_scope() as session:
        return medialog.supervision_for(session=session, agent_id=agent_id)


def _organisations() -> list[tuple[int, str]]:
    with session_scope() as session:
        return medialog.organisations_for_simulation(session=session)


def _simulate(agent_id: int, nir: str, first_name: str, organisation_id: int, member_number: str) -> int:
    with session_scope() as session:
        return medialog.simulate_noemie_flow(
            session=session,
            agent_id=agent_id,
            nir=nir,
            beneficiary_first_name=first_name,
            organisation_id=organisation_id,
            member_number=member_number,
        )


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
            session_id = await asyncio.to_thread(_login, login, password)
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

    async def _reload(
        self,
        *,
        status: str | None = None,
        complex_only: bool | None = None,
        overdue_only: bool | None = None,
        page: int | None = None,
    ):
        """Re-check the session, then apply the changed filters and read the page.

        Nothing changes when the session is gone: the answer is a redirect.
        """
        self.error = ""
        try:
            agent_id = await self._current_agent_id()
        except SQLAlchemyError:
            self._forget()
            self.error = SERVICE_UNAVAILABLE
            return None
        if agent_id is None:
            self._forget()
            return rx.redirect(routes.ADMIN_LOGIN)
        if status is not None:
            self.status_filter = status
        if complex_only is not None:
            self.complex_only = complex_only
        if overdue_only is not None:
            self.overdue_only = overdue_only
        if page is not None:
            self.page_number = page
        try:
            result = await asyncio.to_thread(
                _queue, agent_id, self.status_filter, self.complex_only, self.overdue_only, self.page_number
            )
        except SQLAlchemyError:
            self._forget()
            self.error = SERVICE_UNAVAILABLE
            return None
        self.rows = [_row_view(row) for row in result.rows]
        self.total, self.page_number, self.pages = result.total, result.page, result.pages
        self.loaded = True
        return None

    @rx.event
    async def load(self):
        """on_load: the queue with the filters the agent last chose."""
        return await self._reload()

    @rx.event
    async def filter_status(self, value: str):
        """The "Statut" select: "", "nouvelle", "en_cours" or "cloturee"."""
        if not isinstance(value, str) or value not in STATUS_FILTERS:
            return None
        return await self._reload(status=value, page=1)

    @rx.event
    async def filter_complex(self, checked: bool):
        """ "Cas complexes uniquement"."""
        if not isinstance(checked, bool):
            return None
        return await self._reload(complex_only=checked, page=1)

    @rx.event
    async def filter_overdue(self, checked: bool):
        """ "En retard uniquement"."""
        if not isinstance(checked, bool):
            return None
        return await self._reload(overdue_only=checked, page=1)

    @rx.event
    async def previous_page(self):
        """ "Page précédente"."""
        return await self._reload(page=max(1, self.page_number - 1))

    @rx.event
    async def next_page(self):
        """ "Page suivante" (the service keeps the page within range)."""
        return await self._reload(page=self.page_number + 1)


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

    async def _refresh(self, agent_id: int) -> None:
        """Read the loaded affaire again; forget it when the agent may no longer see it."""
        if self._affaire_id is None:
            return
        try:
            self._show(await asyncio.to_thread(_detail, agent_id, self._affaire_id))
        except medialog.AffaireRefused:
            self._forget()

    @rx.event
    async def load(self):
        """on_load: the affaire named by `?ref=`, if the agent's CPAM handles it."""
        self._forget()
        self.error = self.message = ""
        reference = self.router.url.query_parameters.get("ref", "")
        try:
            agent_id = await self._current_agent_id()
            if agent_id is None:
                return rx.redirect(routes.ADMIN_LOGIN)
            if not isinstance(reference, str) or not REFERENCE_PATTERN.fullmatch(reference):
                raise medialog.AffaireRefused(medialog.NOT_YOURS)
            # An unknown reference gets the same answer as another CPAM's.
            affaire_id = await asyncio.to_thread(_affaire_id_for_reference, agent_id, reference)
            self._show(await asyncio.to_thread(_detail, agent_id, affaire_id))
        except medialog.AffaireRefused as refusal:
            self.error = str(refusal)
        except SQLAlchemyError:
            self.error = SERVICE_UNAVAILABLE
        return None

    async def _act(self, action, success: str, *args: object, refusal: str = ""):
        """Re-check the session, run `action` on the loaded affaire, then show it again.

        `refusal`, when set, is the message for arguments that failed their check:
        shown only once the session is known to be live.
        """
        self.error = self.message = ""
        try:
            agent_id = await self._current_agent_id()
        except SQLAlchemyError:
            self.error = SERVICE_UNAVAILABLE
            return None
        if agent_id is None:
            self._forget()
            return rx.redirect(routes.ADMIN_LOGIN)
        if self._affaire_id is None:
            self.error = NO_AFFAIRE
            return None
        if refusal:
            self.error = refusal
            return None
        try:
            await asyncio.to_thread(action, agent_id, self._affaire_id, *args)
            self.message = success
        except medialog.AffaireRefused as refused:
            self.error = str(refused)
        except SQLAlchemyError as error:
            logger.error("Affaire action failed, database error: %s", type(error).__name__)
            self.error = SERVICE_UNAVAILABLE
            return None
        try:
            await self._refresh(agent_id)
        except SQLAlchemyError:
            self.error = SERVICE_UNAVAILABLE
        return None

    @rx.event
    async def take_charge(self):
        """ "Prendre en charge"."""
        return await self._act(_take_charge, TAKEN)

    @rx.event
    async def update_progres(self):
        """ "Mettre à jour Progrès"."""
        return await self._act(_update_progres, PROGRES_UPDATED)

    @rx.event
    async def close_affaire(self):
        """ "Clôturer l'affaire"; the closure tasks are queued after the commit."""
        return await self._act(_close, CLOSED)

    @rx.event
    async def transfer_to_digne(self, form_data: dict[str, Any]):
        """ "Transférer à la CPAM de Digne", with the reason typed in the form.

        Only the reason is read from the form: any other field is ignored.
        """
        reason = form_data.get("reason") if isinstance(form_data, dict) else None
        if not isinstance(reason, str) or not reason.strip() or len(reason) > MAX_REASON_LENGTH:
            return await self._act(_transfer, TRANSFERRED, "", refusal=medialog.REASON_NEEDED)
        return await self._act(_transfer, TRANSFERRED, reason)


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

    @rx.event
    async def load(self):
        """on_load: re-check the session, then read the figures of the agent's scope."""
        self.error = ""
        try:
            agent_id = await self._current_agent_id()
            if agent_id is None:
                self._forget()
                return rx.redirect(routes.ADMIN_LOGIN)
            figures = await asyncio.to_thread(_supervision, agent_id)
        except SQLAlchemyError:
            self._forget()
            self.error = SERVICE_UNAVAILABLE
            return None
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
        return None


class AdminSimulationState(AgentAuthState):
    """ "Simuler un flux NOEMIE": a new OC contract, for demos and tests."""

    organisations: list[OrganisationOption] = []
    error: str = ""
    message: str = ""

    @rx.event
    async def load(self):
        """on_load: re-check the session, then list the organisations."""
        self.error = self.message = ""
        try:
            agent_id = await self._current_agent_id()
            if agent_id is None:
                self.organisations = []
                return rx.redirect(routes.ADMIN_LOGIN)
            rows = await asyncio.to_thread(_organisations)
        except SQLAlchemyError:
            self.error = SERVICE_UNAVAILABLE
            return None
        self.organisations = [
            OrganisationOption(str(organisation_id), name) for organisation_id, name in rows
        ]
        return None

    @rx.event
    async def simulate(self, form_data: dict[str, Any]):
        """ "Simuler un flux NOEMIE": the service checks the person belongs to the agent's CPAM."""
        self.error = self.message = ""
        try:
            agent_id = await self._current_agent_id()
        except SQLAlchemyError:
            self.error = SERVICE_UNAVAILABLE
            return None
        if agent_id is None:
            self.organisations = []
            return rx.redirect(routes.ADMIN_LOGIN)
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
            return None
        member_number = member_number.strip()
        if len(member_number) > MAX_MEMBER_NUMBER_LENGTH:
            self.error = MEMBER_NUMBER_TOO_LONG
            return None
        try:
            await asyncio.to_thread(_simulate, agent_id, nir, first_name, int(organisation), member_number)
        except medialog.AffaireRefused as refused:
            self.error = str(refused)
            return None
        except SQLAlchemyError as error:
            logger.error("NOEMIE simulation failed, database error: %s", type(error).__name__)
            self.error = SERVICE_UNAVAILABLE
            return None
        self.message = SIMULATED
        return None
