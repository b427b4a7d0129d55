"""The accessible versions of the insured's PDF documents (RGAA 13.3): the relevé of a payment
and the attestation de droits, stated as a page.

Each page reads the same plain value its PDF is drawn from (`InsuredDocument`), behind the
same gate: a live session, and the account's own documents only.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

import reflex as rx

from rxapp import routes
from rxapp.observability.visitor import visitor_address
from rxapp.services.attestation import rights_attestation
from rxapp.services.audit import ACCESS_REFUSED, security_event
from rxapp.services.formatting import PARIS
from rxapp.services.payments import payment_statement
from rxapp.services.pdf_document import InsuredDocument
from rxapp.settings import get_settings
from rxapp.state.auth import AuthState
from rxapp.state.gate import insured_handler
from rxapp.state.page import InsuredPage


@dataclasses.dataclass(frozen=True)
class DocumentLine:
    """One "caption : value" line of a document."""

    caption: str
    value: str


class DocumentPage(InsuredPage, mixin=True):
    """What the page of a document shows: the document's statements and its PDF's address."""

    document_title: str = ""
    lines: list[DocumentLine] = []
    emphasis: str = ""
    list_title: str = ""
    list_items: list[str] = []
    note: str = ""
    pdf_url: str = ""
    # The account has no such document: the page says so, and shows nothing else.
    missing: bool = False

    def _forget(self) -> None:
        self.document_title = self.emphasis = self.list_title = self.note = self.pdf_url = ""
        self.lines, self.list_items, self.missing = [], [], False
        super()._forget()

    def _show(self, document: InsuredDocument, pdf_url: str) -> None:
        self.document_title = document.title
        self.lines = [DocumentLine(caption, value) for caption, value in document.lines]
        self.emphasis = document.emphasis
        self.list_title = document.list_title
        self.list_items = list(document.list_items)
        self.note = document.note
        self.pdf_url = pdf_url
        self.missing = False
        self.loaded = True

    def _show_missing(self) -> None:
        self._forget()
        self.missing = True
        self.loaded = True


def requested_payment(value: object) -> int | None:
    """The payment id of `?paiement=`, or None when it is not a plain positive number."""
    if not isinstance(value, str) or not value.isascii() or not value.isdecimal() or len(value) > 10:
        return None
    return int(value)


class StatementState(DocumentPage, AuthState):
    """/frais-de-sante/releve?paiement=<id>: the relevé of one of the account's payments."""

    # The `?paiement=` this state's relevé was read for: the page shows it only at that address.
    read_for: str = ""

    @rx.event
    @insured_handler
    async def load(self, account_id: int):
        """on_load: re-check the session, then read the relevé the address names, if it is the account's."""
        self._forget()
        self.read_for = self.router.url.query_parameters.get(routes.STATEMENT_PARAMETER, "")
        payment_id = requested_payment(self.read_for)
        try:
            if payment_id is None:
                raise LookupError(payment_id)
            statement = await self._read(payment_statement, account_id=account_id, payment_id=payment_id)
        except LookupError:
            # The same answer for an unknown payment, a transmitted one and another account's.
            security_event(
                ACCESS_REFUSED,
                action="StatementState.load",
                reason="not_the_accounts",
                payment_id=payment_id,
                client_ip=visitor_address(self.router) or None,
            )
            self._show_missing()
            return
        self._show(statement, routes.statement_url(payment_id))


class AttestationState(DocumentPage, AuthState):
    """/demarches/attestation-de-droits/version-accessible: the account's attestation de droits."""

    @rx.event
    @insured_handler
    async def load(self, account_id: int):
        """on_load: re-check the session, then state the attestation, dated today (Paris time)."""
        self._forget()
        try:
            attestation = await self._read(
                rights_attestation,
                account_id=account_id,
                issued_on=datetime.now(PARIS).date(),
                secret=get_settings().secret_key,
            )
        except LookupError:
            self._show_missing()
            return
        self._show(attestation, routes.ATTESTATION_PDF)
