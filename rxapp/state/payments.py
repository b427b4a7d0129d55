"""Frais de santé: the insured's payments and their statements."""

from __future__ import annotations

import asyncio
import dataclasses

import reflex as rx
from sqlalchemy.exc import SQLAlchemyError

from rxapp import routes
from rxapp.db import session_scope
from rxapp.services.payments import PaymentLine, payments_for
from rxapp.state.auth import SERVICE_UNAVAILABLE, AuthState

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
    # Empty for a transmitted payment: only the others have a statement.
    statement_url: str
    statement_label: str


def _row(line: PaymentLine) -> PaymentRow:
    if line.transmitted_to_oc:
        url = label = ""
    else:
        url = routes.statement_url(line.payment_id)
        label = f"Télécharger le relevé du {line.paid_on} (PDF)"
    return PaymentRow(
        paid_on=line.paid_on,
        beneficiary=line.beneficiary,
        label=line.label,
        amount=line.amount,
        status=TRANSMITTED if line.transmitted_to_oc else NOT_TRANSMITTED,
        transmitted=line.transmitted_to_oc,
        statement_url=url,
        statement_label=label,
    )


def _payments(account_id: int) -> list[PaymentRow]:
    with session_scope() as session:
        return [_row(line) for line in payments_for(session=session, account_id=account_id)]


class PaymentsState(AuthState):
    payments: list[PaymentRow] = []
    loaded: bool = False
    unavailable: str = ""

    @rx.var
    def has_untransmitted(self) -> bool:
        """Whether some payments have a statement to send to the complementary insurer."""
        return any(not row.transmitted for row in self.payments)

    @rx.event
    async def load(self):
        """on_load: re-check the session, then read the account's payments."""
        try:
            account_id = await self._current_account_id()
            rows = await asyncio.to_thread(_payments, account_id) if account_id else None
        except SQLAlchemyError:
            self.unavailable = SERVICE_UNAVAILABLE
            return None
        self.unavailable = ""
        if rows is None:
            self.payments = []
            self.loaded = False
            return rx.redirect(routes.LOGIN)
        self.payments = rows
        self.loaded = True
        return None
