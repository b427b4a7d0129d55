"""The teleservice: selection (step 1), recap (step 2), confirmation."""

from __future__ import annotations

import asyncio
import dataclasses
import logging

import reflex as rx

from rxapp import routes
from rxapp.queue import queue_affaire_creation
from rxapp.services import teleservice
from rxapp.services.audit import ACCESS_REFUSED, security_event
from rxapp.services.eligibility import EligibilityStatus
from rxapp.services.formatting import format_day
from rxapp.state.auth import AuthState
from rxapp.state.forms import choices, is_flag, refuse_input
from rxapp.state.gate import SERVICE_UNAVAILABLE, in_session, insured_handler

logger = logging.getLogger(__name__)

NOT_RECORDED = "Service momentanément indisponible, votre choix n'a pas été enregistré, réessayez."
TITLE = "Choisir l'organisme complémentaire destinataire de vos remboursements"


@dataclasses.dataclass
class OptionView:
    id: str
    organisation: str
    member_number: str
    start: str


@dataclasses.dataclass
class BeneficiaryChoice:
    id: str
    name: str
    birth: str
    chosen: str = ""
    missing: bool = False
    options: list[OptionView] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class RecapLine:
    name: str
    birth: str
    organisation: str
    member_number: str
    start: str


def _views(situation: teleservice.OverlapSituation, previous: dict[str, str]) -> list[BeneficiaryChoice]:
    views = []
    for beneficiary in situation.beneficiaries:
        options = [
            OptionView(str(o.contract_id), o.organisation, o.member_number, format_day(o.start_date))
            for o in beneficiary.options
        ]
        kept = previous.get(str(beneficiary.beneficiary_id), "")
        views.append(
            BeneficiaryChoice(
                id=str(beneficiary.beneficiary_id),
                name=beneficiary.full_name,
                birth=format_day(beneficiary.birth_date),
                chosen=kept if any(o.id == kept for o in options) else "",
                options=options,
            )
        )
    return views


def status_notice(situation: teleservice.OverlapSituation) -> tuple[EligibilityStatus, str]:
    """(status, French notice) of the situation; the notice is empty when the insured may choose."""
    status = situation.eligibility.status
    message = situation.eligibility.message
    return status, excluded_notice(message) if status is EligibilityStatus.EXCLUDED else message


def excluded_notice(reason: str) -> str:
    """The notice of an insured who must call their CPAM, with the reason why."""
    return (
        "La transmission automatique de vos remboursements vers votre complémentaire est bloquée. "
        f"{reason} Pour la rétablir, contactez votre caisse d'assurance maladie : par téléphone au "
        "3646 (service gratuit + prix d'un appel) ou depuis votre messagerie."
    )


class SelectionState(AuthState):
    status: EligibilityStatus = EligibilityStatus.LOADING
    notice: str = ""
    beneficiaries: list[BeneficiaryChoice] = []
    missing_names: list[str] = []
    refusal: str = ""
    reference: str = ""
    request_date: str = ""
    satisfaction_recorded: bool = False
    submitting: bool = False

    @rx.var
    def page_title(self) -> str:
        prefix = "Erreur : " if self.missing_names else ""
        return f"{prefix}Étape 1 sur 2, sélection de l'organisme | Compte ameli"

    @rx.var
    def recap(self) -> list[RecapLine]:
        lines = []
        for beneficiary in self.beneficiaries:
            option = next((o for o in beneficiary.options if o.id == beneficiary.chosen), None)
            if option is not None:
                lines.append(
                    RecapLine(
                        beneficiary.name,
                        beneficiary.birth,
                        option.organisation,
                        option.member_number,
                        option.start,
                    )
                )
        return lines

    def _choices(self) -> dict[str, str]:
        return {b.id: b.chosen for b in self.beneficiaries if b.chosen}

    def _show_unavailable(self) -> None:
        self.status, self.notice = EligibilityStatus.UNAVAILABLE, SERVICE_UNAVAILABLE

    def _not_recorded(self) -> None:
        logger.error("Request not recorded, database error")
        self.refusal = NOT_RECORDED

    def _satisfaction_not_recorded(self) -> None:
        self.refusal = SERVICE_UNAVAILABLE

    def _show(self, situation: teleservice.OverlapSituation) -> None:
        """The situation, read again with the session check: who may choose, between which contracts."""
        self.status, self.notice = status_notice(situation)
        if self.status == EligibilityStatus.ELIGIBLE:
            self.beneficiaries = _views(situation, self._choices())
        else:
            self.beneficiaries = []

    @rx.event
    @insured_handler(read=teleservice.situation_of)
    async def load_selection(self, _account_id: int, situation: teleservice.OverlapSituation):
        """on_load of step 1."""
        self.refusal = ""
        self.reference = ""
        self._show(situation)

    @rx.event
    def choose(self, beneficiary_id: str, contract_id: str):
        """A radio button was chosen. Only one of that beneficiary's own options is accepted."""
        owned = (
            isinstance(beneficiary_id, str)
            and isinstance(contract_id, str)
            and any(
                beneficiary.id == beneficiary_id and any(o.id == contract_id for o in beneficiary.options)
                for beneficiary in self.beneficiaries
            )
        )
        if not owned:
            # Only a forged event names a contract outside the overlap shown on this page.
            security_event(ACCESS_REFUSED, action="SelectionState.choose", reason="contract_outside_overlap")
            return
        for beneficiary in self.beneficiaries:
            if beneficiary.id == beneficiary_id:
                beneficiary.chosen = contract_id
                beneficiary.missing = False
        self.beneficiaries = list(self.beneficiaries)
        self.missing_names = [b.name for b in self.beneficiaries if b.missing]

    @rx.event
    def next_step(self):
        """ "Passer à l'étape suivante": to the recap, or an alert naming who lacks a choice."""
        if self.status != EligibilityStatus.ELIGIBLE or not self.beneficiaries:
            return rx.redirect(routes.SELECTION)
        for beneficiary in self.beneficiaries:
            beneficiary.missing = not beneficiary.chosen
        self.beneficiaries = list(self.beneficiaries)
        self.missing_names = [b.name for b in self.beneficiaries if b.missing]
        if self.missing_names:
            return rx.set_focus("erreurs")
        return rx.redirect(routes.RECAP)

    @rx.event
    @insured_handler(read=teleservice.situation_of)
    async def load_recap(self, _account_id: int, situation: teleservice.OverlapSituation):
        """on_load of step 2: back to step 1 unless every beneficiary has a choice.

        Once a request is recorded, the recap shows its confirmation instead: the page
        reloaded, or reconnected after its instance went before the answer to "Confirmer"
        arrived (the page rehydrates on every reconnection), or the back button."""
        self.refusal = ""
        self._show(situation)
        if situation.pending is not None:
            return rx.redirect(routes.CONFIRMATION)
        if self.status == EligibilityStatus.ELIGIBLE and any(not b.chosen for b in self.beneficiaries):
            return rx.redirect(routes.SELECTION)
        return None

    @rx.event
    @insured_handler(on_outage=_not_recorded)
    async def confirm(self, account_id: int):
        """ "Confirmer": the server checks everything again and records one request."""
        if self.submitting:
            return None
        if self.reference:
            return rx.redirect(routes.CONFIRMATION)
        chosen = choices(self.beneficiaries)
        if chosen is None:
            refuse_input(self, "confirm", "malformed_choices")
            self.refusal = teleservice.NOT_YOUR_SITUATION
            return None
        self.submitting = True
        try:
            request = await in_session(teleservice.submit_request, account_id=account_id, choices=chosen)
        except teleservice.RequestRefused as refusal:
            self.refusal = str(refusal)
            return None
        finally:
            self.submitting = False
        # Queued after the commit; if the broker is down, the outbox relay queues it later.
        await asyncio.to_thread(queue_affaire_creation, request.request_id)
        self.reference = request.reference
        self.request_date = format_day(request.created_at)
        self.satisfaction_recorded = False
        return rx.redirect(routes.CONFIRMATION)

    @rx.event
    @insured_handler(read=teleservice.pending_request_of)
    async def load_confirmation(self, _account_id: int, pending: teleservice.PendingRequest | None):
        """on_load of the confirmation: show the pending request, even after a reload."""
        if pending is None:
            self.reference = ""
            return rx.redirect(routes.DASHBOARD)
        if pending.reference != self.reference:
            self.reference = pending.reference
            self.satisfaction_recorded = False
        self.request_date = format_day(pending.created_at)
        self.beneficiaries = []
        self.missing_names = []
        return None

    @rx.event
    @insured_handler(on_outage=_satisfaction_not_recorded)
    async def answer_satisfaction(self, account_id: int, satisfied: bool):
        """ "Etes-vous satisfait de ce service ?": one answer per request."""
        if not is_flag(satisfied):
            refuse_input(self, "answer_satisfaction", "not_a_boolean")
            return
        if not self.reference or self.satisfaction_recorded:
            return
        self.satisfaction_recorded = await in_session(
            teleservice.record_satisfaction,
            account_id=account_id,
            reference=self.reference,
            satisfied=satisfied,
        )
