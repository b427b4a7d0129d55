"""Frais de santé: "Vos paiements", and the statements of non-transmitted payments."""

from __future__ import annotations

import reflex as rx

from rxapp import routes
from rxapp.components.layout import loading_status, page_shell
from rxapp.components.notice import callout, unavailable_alert
from rxapp.state.payments import PaymentRow, PaymentsState
from rxapp.theme import BORDER, BRAND_BLUE, DOCUMENT_LINK, RADIUS, SURFACE_MUTED

EXPLANATION = (
    "Les paiements non transmis n'ont pas été envoyés à votre complémentaire : "
    "téléchargez leurs relevés et transmettez-les-lui pour vous faire rembourser."
)
CAPTION = "Vos paiements, du plus récent au plus ancien"
ACCESSIBLE_STATEMENT = "Consulter le relevé en version accessible"
# Cards below 48em (phones), a table from there on (tablets and desktops).
CARDS_ONLY = rx.breakpoints(initial="block", sm="none")
TABLE_ONLY = rx.breakpoints(initial="none", sm="block")


def _back_link() -> rx.Component:
    # rx.link's default hover colour (accent-8) is too pale for 4.5:1.
    return rx.link("Retourner au tableau de bord", href=routes.DASHBOARD, _hover={"color": BRAND_BLUE})


# A badge may wrap: with the text spacing a reader may set (WCAG 1.4.12, RGAA 10.12), one line of
# "Transmis à votre complémentaire" pushed the table past its frame, which clipped the last column.
BADGE = {"variant": "soft", "size": "2", "high_contrast": True, "white_space": "normal"}


def _status(row: PaymentRow) -> rx.Component:
    return rx.cond(
        row.transmitted,
        rx.badge(row.status, color_scheme="green", **BADGE),
        rx.badge(row.status, color_scheme="orange", **BADGE),
    )


def _statement_links(row: PaymentRow) -> rx.Component:
    # rx.el.a is React Router's Link: reload_document leaves the click to the browser,
    # which downloads the PDF from the HTTP route instead of routing to a page.
    # The date is read out but not shown; the visible words start the name.
    # Beside the PDF, its accessible version (RGAA 13.3): a page that states the same.
    link = DOCUMENT_LINK
    return rx.cond(
        row.statement_url,
        rx.el.ul(
            rx.el.li(
                rx.el.a(
                    "Télécharger le relevé (PDF)",
                    rx.el.span(" du ", row.paid_on, class_name="sr-only"),
                    href=row.statement_url,
                    download=True,
                    reload_document=True,
                    **link,
                )
            ),
            rx.el.li(
                rx.el.a(
                    ACCESSIBLE_STATEMENT,
                    rx.el.span(" du ", row.paid_on, class_name="sr-only"),
                    href=row.statement_page_url,
                    **link,
                )
            ),
            list_style="none",
            padding="0",
            margin="0",
        ),
    )


# A plain HTML table: Radix Themes' Table.Root wraps it in a ScrollArea, which renders a <style>
# element inside the page's body, where HTML allows none (RGAA 8.2).
CELL = {"padding": "10px 12px", "border_bottom": BORDER, "vertical_align": "middle"}
# In the body, a long word may break anywhere when it must: with the text spacing a reader may set
# (WCAG 1.4.12, RGAA 10.12), the words' own widths pushed the table 61 px past a tablet's width.
# Not in the headers, whose words would then break at any width ("Montan-t").
BODY_CELL = CELL | {"overflow_wrap": "anywhere"}


def _table(rows) -> rx.Component:
    headers = ("Date", "Bénéficiaire", "Acte", "Montant", "Statut", "Relevé")
    return rx.box(
        rx.el.table(
            rx.el.caption(CAPTION, class_name="sr-only"),
            rx.el.thead(
                rx.el.tr(
                    *[
                        rx.el.th(
                            name,
                            scope="col",
                            text_align="right" if name == "Montant" else "left",
                            background=SURFACE_MUTED,
                            **CELL,
                        )
                        for name in headers
                    ]
                )
            ),
            rx.el.tbody(
                rx.foreach(
                    rows,
                    lambda row: rx.el.tr(
                        rx.el.th(
                            row.paid_on,
                            scope="row",
                            white_space="nowrap",
                            text_align="left",
                            font_weight="400",
                            **BODY_CELL,
                        ),
                        rx.el.td(row.beneficiary, **BODY_CELL),
                        rx.el.td(row.label, **BODY_CELL),
                        rx.el.td(row.amount, white_space="nowrap", text_align="right", **BODY_CELL),
                        rx.el.td(_status(row), **BODY_CELL),
                        rx.el.td(_statement_links(row), **BODY_CELL),
                    ),
                )
            ),
            width="100%",
            border_collapse="collapse",
        ),
        display=TABLE_ONLY,
        width="100%",
        border=BORDER,
        border_radius=RADIUS,
        # No line under the last row: the frame draws it. Nothing clips the table (no overflow).
        style={"& tbody tr:last-child > *": {"border_bottom": "none"}},
    )


def _card(row: PaymentRow) -> rx.Component:
    return rx.el.li(
        rx.card(
            rx.vstack(
                rx.heading(row.paid_on, " - ", row.label, as_="h2", size="3"),
                rx.data_list.root(
                    rx.data_list.item(
                        rx.data_list.label("Bénéficiaire"), rx.data_list.value(row.beneficiary)
                    ),
                    rx.data_list.item(rx.data_list.label("Montant"), rx.data_list.value(row.amount)),
                    rx.data_list.item(rx.data_list.label("Statut"), rx.data_list.value(_status(row))),
                    orientation="vertical",
                    size="2",
                ),
                _statement_links(row),
                spacing="2",
                width="100%",
            ),
            width="100%",
        ),
        list_style="none",
    )


def _cards(rows) -> rx.Component:
    return rx.el.ul(
        rx.foreach(rows, _card),
        aria_label=CAPTION,
        display=CARDS_ONLY,
        padding="0",
        margin="0",
        width="100%",
        style={"& > li + li": {"margin-top": "12px"}},
    )


def payments_page() -> rx.Component:
    return page_shell(
        rx.vstack(
            rx.heading("Vos paiements", as_="h1", size="7"),
            unavailable_alert(PaymentsState.unavailable, width="100%"),
            rx.cond(
                PaymentsState.loaded,
                rx.cond(
                    PaymentsState.payments.length() > 0,
                    rx.vstack(
                        rx.cond(
                            PaymentsState.has_untransmitted,
                            callout(EXPLANATION, icon="info", color_scheme="blue", width="100%"),
                        ),
                        _table(PaymentsState.payments),
                        _cards(PaymentsState.payments),
                        spacing="4",
                        width="100%",
                    ),
                    rx.text("Aucun paiement."),
                ),
                rx.cond(
                    ~PaymentsState.unavailable,
                    loading_status("Chargement de vos paiements…"),
                ),
            ),
            _back_link(),
            spacing="5",
            width="100%",
        ),
        signed_in=True,
        current=routes.PAYMENTS,
    )
