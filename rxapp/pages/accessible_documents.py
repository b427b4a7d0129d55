"""The accessible versions of the PDF documents (RGAA 13.3): a relevé de paiement and the
attestation de droits, stated as a page, in the order of the PDF, with the link to the PDF."""

from __future__ import annotations

import reflex as rx

from rxapp import routes
from rxapp.components.layout import loading_status, page_shell, read_for_this_address
from rxapp.components.notice import callout, unavailable_alert
from rxapp.services.attestation import ATTESTATION_NOT_FOUND, ATTESTATION_TITLE
from rxapp.services.payments import STATEMENT_NOT_FOUND, STATEMENT_TITLE
from rxapp.state.documents import AttestationState, DocumentLine, StatementState
from rxapp.theme import DOCUMENT_LINK

STATEMENT_PAGE_TITLE = f"{STATEMENT_TITLE} (version accessible)"
ATTESTATION_PAGE_TITLE = f"{ATTESTATION_TITLE} (version accessible)"


def _intro(what: str) -> rx.Component:
    return rx.text(f"Version accessible : cette page indique tout ce que {what} au format PDF indique.")


def _line(line: DocumentLine) -> rx.Component:
    return rx.fragment(
        rx.el.dt(line.caption, font_weight="700", margin_top="12px"),
        rx.el.dd(line.value, margin="2px 0 0"),
    )


def _pdf_link(state: type[StatementState] | type[AttestationState], text: str) -> rx.Component:
    # rx.el.a is React Router's Link: reload_document leaves the click to the browser,
    # which downloads the PDF from the HTTP route instead of routing to a page.
    return rx.el.a(
        text,
        href=state.pdf_url,
        download=True,
        reload_document=True,
        **DOCUMENT_LINK,
    )


def _document(state: type[StatementState] | type[AttestationState], pdf_text: str) -> rx.Component:
    """The document's statements, in the order of its PDF."""
    return rx.vstack(
        rx.el.dl(rx.foreach(state.lines, _line), margin="0"),
        rx.cond(state.emphasis, rx.text(state.emphasis, weight="bold")),
        rx.cond(
            state.list_title,
            rx.box(
                rx.heading(state.list_title, as_="h2", size="4"),
                rx.el.ul(
                    rx.foreach(state.list_items, lambda item: rx.el.li(item)),
                    padding_left="18px",
                    margin="8px 0 0",
                ),
            ),
        ),
        rx.cond(state.note, rx.text(state.note)),
        _pdf_link(state, pdf_text),
        spacing="4",
        width="100%",
    )


def _document_page(
    state: type[StatementState] | type[AttestationState],
    *,
    heading: str,
    what: str,
    pdf_text: str,
    not_found: str,
    back: rx.Component,
    current: str,
    shown: rx.Var[bool],
) -> rx.Component:
    """`shown`: the state holds the document of the page's address (`read_for_this_address`)."""
    return page_shell(
        rx.vstack(
            rx.heading(heading, as_="h1", size="7"),
            unavailable_alert(state.unavailable, width="100%"),
            rx.cond(
                shown & state.missing,
                callout(not_found, color_scheme="red", role="alert", width="100%"),
                rx.cond(
                    shown & state.loaded,
                    rx.vstack(_intro(what), _document(state, pdf_text), spacing="4", width="100%"),
                    rx.cond(~state.unavailable, loading_status("Chargement du document…")),
                ),
            ),
            back,
            spacing="5",
            width="100%",
            max_width="760px",
        ),
        signed_in=True,
        current=current,
    )


def statement_page() -> rx.Component:
    """/frais-de-sante/releve?paiement=<id>."""
    return _document_page(
        StatementState,
        heading=STATEMENT_TITLE,
        what="le relevé",
        pdf_text="Télécharger le relevé (PDF)",
        not_found=STATEMENT_NOT_FOUND,
        back=rx.link("Retourner à vos paiements", href=routes.PAYMENTS),
        current=routes.PAYMENTS,
        shown=read_for_this_address(StatementState.read_for, routes.STATEMENT_PARAMETER),
    )


def attestation_page() -> rx.Component:
    """/demarches/attestation-de-droits/version-accessible."""
    return _document_page(
        AttestationState,
        heading=ATTESTATION_TITLE,
        what="l'attestation",
        pdf_text="Télécharger mon attestation de droits (PDF)",
        not_found=ATTESTATION_NOT_FOUND,
        back=rx.link("Retourner à l'attestation de droits", href=routes.RIGHTS_ATTESTATION),
        current=routes.PROCEDURES,
        shown=rx.Var.create(True),  # one attestation per account: no address to tell apart
    )
