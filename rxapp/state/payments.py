"""Frais de santé: the insured's payments and their statements."""

from __future__ import annotations

import dataclasses

import reflex as rx

from rxapp import routes
from rxapp.services.formatting import format_amount, format_day, format_person_name
from rxapp.services.payments import PaymentLine, payments_for
from rxapp.state.auth import AuthState
from rxapp.state.gate import insured_handler
from rxapp.state.page import InsuredPage

TRANSMITTED = "Transmis à votre complémentaire"
NOT_TRANSMITTED = "Non transmis"


@dataclasses.dataclass(frozen=True)
class PaymentRow:
    """What the page shows of one payment: display strings only."""

    paid_on: str
    beneficiary: str
    label: str
    amount: str
    status: str
    transmitted: bool
    # Empty for a transmitted payment: only the others have a statement (a PDF, and its
    # accessible version, a page).
    statement_url: str
    statement_page_url: str


def payment_row(line: PaymentLine) -> PaymentRow:
    """The row a page shows of one payment (the payments page, the dashboard's latest ones)."""
    return PaymentRow(
        paid_on=format_day(line.paid_on),
        beneficiary=format_person_name(line.beneficiary_first_name, line.beneficiary_last_name),
        label=line.label,
        amount=format_amount(line.amount_cents),
        status=TRANSMITTED if line.transmitted_to_oc else NOT_TRANSMITTED,
        transmitted=line.transmitted_to_oc,
        statement_url="" if line.transmitted_to_oc else routes.statement_url(line.payment_id),
        statement_page_url="" if line.transmitted_to_oc else routes.statement_page_url(line.payment_id),
    )


class PaymentsState(InsuredPage, AuthState):
    payments: list[PaymentRow] = []

    @rx.var
    def has_untransmitted(self) -> bool:
        """Whether some payments have a statement to send to the complementary insurer."""
        return any(not row.transmitted for row in self.payments)

    def _forget(self) -> None:
        self.payments = []
        super()._forget()

    @rx.event
    @insured_handler
    async def load(self, account_id: int):
        """on_load: re-check the session, then read the account's payments."""
        lines = await self._read(payments_for, account_id=account_id)
        self.payments = [payment_row(line) for line in lines]
        self.loaded = True
