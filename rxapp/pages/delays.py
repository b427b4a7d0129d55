"""Consulter les délais de traitement de ma Caisse d'Assurance Maladie."""

from __future__ import annotations

import reflex as rx

from rxapp.components.layout import loading_status
from rxapp.components.notice import unavailable_alert
from rxapp.pages.procedures import PROCESSING_DELAYS, procedure_page
from rxapp.services.delays import TARGET_DAYS
from rxapp.state.delays import DelaysState, FiguresBlock, RangeRow
from rxapp.theme import BORDER, BRAND_BLUE, DIVIDER, RADIUS

CELL = {"padding": "8px", "border_bottom": DIVIDER, "text_align": "left"}


def _figure(term: str, value) -> rx.Component:
    return rx.box(
        rx.el.dt(term, font_size="14px"),
        rx.el.dd(value, margin="2px 0 0", font_weight="700", font_size="20px"),
        padding="12px",
        border=BORDER,
        border_radius=RADIUS,
    )


def _range_row(row: RangeRow) -> rx.Component:
    return rx.el.tr(
        rx.el.th(row.label, scope="row", font_weight="400", **CELL),
        rx.el.td(row.count, **CELL),
        rx.el.td(
            # The bar repeats the number beside it: hidden from assistive technologies.
            rx.box(
                width=f"{row.bar_percent}%",
                min_width=rx.cond(row.count > 0, "4px", "0"),
                height="16px",
                background=BRAND_BLUE,
                border_radius="2px",
            ),
            aria_hidden="true",
            width="50%",
            **CELL,
        ),
    )


def _figures(title, block: FiguresBlock, label: str) -> rx.Component:
    return rx.el.section(
        rx.heading(title, as_="h2", size="5"),
        rx.cond(
            block.closed > 0,
            rx.fragment(
                rx.el.dl(
                    _figure("Demandes clôturées", block.closed),
                    _figure("Délai médian", block.median),
                    _figure("9 demandes sur 10 clôturées en", block.p90),
                    _figure(f"Clôturées en {TARGET_DAYS} jours ou moins", block.within_target),
                    display="grid",
                    grid_template_columns=rx.breakpoints(initial="1fr 1fr", md="repeat(4, 1fr)"),
                    gap="8px",
                    margin="8px 0",
                ),
                rx.el.table(
                    rx.el.caption(
                        "Répartition des demandes clôturées selon leur délai de traitement",
                        text_align="left",
                        font_weight="700",
                        padding_bottom="4px",
                    ),
                    rx.el.thead(
                        rx.el.tr(
                            rx.el.th("Délai de traitement", scope="col", **CELL),
                            rx.el.th("Demandes", scope="col", **CELL),
                            rx.el.th("Graphique", scope="col", **CELL),
                        )
                    ),
                    rx.el.tbody(rx.foreach(block.ranges, _range_row)),
                    width="100%",
                    border_collapse="collapse",
                ),
            ),
            rx.text("Aucune demande clôturée sur cette période."),
        ),
        aria_label=label,
        width="100%",
    )


def delays_page() -> rx.Component:
    return procedure_page(
        PROCESSING_DELAYS,
        unavailable_alert(DelaysState.unavailable),
        rx.cond(
            DelaysState.loaded,
            rx.cond(
                DelaysState.partner_regime,
                rx.text(
                    "Vos remboursements sont gérés par un régime partenaire : ses délais de traitement "
                    "ne sont pas suivis ici. Renseignez-vous auprès de lui."
                ),
                rx.vstack(
                    rx.text(
                        "Délais constatés sur les demandes de choix de l'organisme complémentaire "
                        "clôturées au cours des ",
                        DelaysState.window_days,
                        " derniers jours, de la date de la demande à sa clôture. "
                        "Les cas complexes sont traités par la ",
                        DelaysState.complex_cpam_name,
                        ".",
                    ),
                    _figures(DelaysState.cpam_name, DelaysState.ordinary, "Votre caisse"),
                    _figures(
                        rx.fragment("Cas complexes : ", DelaysState.complex_cpam_name),
                        DelaysState.complex_cases,
                        "Cas complexes",
                    ),
                    spacing="5",
                    width="100%",
                ),
            ),
            rx.cond(~DelaysState.unavailable, loading_status("Calcul des délais…")),
        ),
    )
