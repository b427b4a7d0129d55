"""The supervision page: backlog, processing time, satisfaction, overdue affaires."""

from __future__ import annotations

import reflex as rx

from rxapp import routes
from rxapp.components.admin import agent_shell, error_alert
from rxapp.pages.admin.shared import heading, queue_link
from rxapp.state.admin import AdminSupervisionState, CountView, QueueRowView
from rxapp.theme import BRAND_BLUE, TEXT_SECONDARY

CHART_CAPTION = "Délai de traitement des affaires clôturées (objectif : 7 jours)"


def _count_item(item: CountView) -> rx.Component:
    return rx.el.li(rx.el.strong(item.label), " : ", item.count)


def _processing_chart() -> rx.Component:
    return rx.el.figure(
        rx.el.figcaption(CHART_CAPTION, font_weight="700", margin_bottom="8px"),
        # The chart is drawn for sighted agents; the table below says the same to everyone else.
        rx.box(
            rx.recharts.bar_chart(
                rx.recharts.cartesian_grid(stroke_dasharray="3 3", vertical=False),
                rx.recharts.x_axis(data_key="label", stroke=TEXT_SECONDARY),
                rx.recharts.y_axis(allow_decimals=False, stroke=TEXT_SECONDARY, width=40),
                rx.recharts.bar(
                    data_key="affaires", name="Affaires", fill=BRAND_BLUE, is_animation_active=False
                ),
                data=AdminSupervisionState.processing,
                height=260,
                width="100%",
                custom_attrs={"accessibilityLayer": False},
            ),
            aria_hidden="true",
            width="100%",
            max_width="640px",
        ),
        # A block wrapper: a table ignores the 1 px width and would widen the page on phones.
        rx.box(
            rx.el.table(
                rx.el.caption("Nombre d'affaires clôturées par délai de traitement"),
                rx.el.thead(rx.el.tr(rx.el.th("Délai", scope="col"), rx.el.th("Affaires", scope="col"))),
                rx.el.tbody(
                    rx.foreach(
                        AdminSupervisionState.processing_rows,
                        lambda row: rx.el.tr(rx.el.th(row.label, scope="row"), rx.el.td(row.count)),
                    )
                ),
            ),
            class_name="sr-only",
        ),
        margin="0",
        width="100%",
    )


def _overdue_item(row: QueueRowView) -> rx.Component:
    return rx.el.li(
        queue_link(row),
        rx.el.span(" - ", row.insured, " - échéance le ", row.due),
    )


def admin_supervision_page() -> rx.Component:
    """The supervision dashboard of the agent's CPAM."""
    return agent_shell(
        rx.vstack(
            heading("Supervision"),
            error_alert(AdminSupervisionState.error),
            rx.cond(
                AdminSupervisionState.loaded,
                rx.vstack(
                    heading("Affaires par statut", 2),
                    rx.el.ul(rx.foreach(AdminSupervisionState.backlog, _count_item), padding_left="20px"),
                    heading("Délai de traitement", 2),
                    rx.text(AdminSupervisionState.within_target, weight="medium"),
                    _processing_chart(),
                    heading("Satisfaction des assurés", 2),
                    rx.text(AdminSupervisionState.satisfaction),
                    heading("Affaires en retard", 2),
                    rx.cond(
                        AdminSupervisionState.overdue.length() > 0,
                        rx.el.ul(
                            rx.foreach(AdminSupervisionState.overdue, _overdue_item), padding_left="20px"
                        ),
                        rx.text("Aucune affaire en retard."),
                    ),
                    spacing="4",
                    width="100%",
                ),
            ),
            spacing="5",
            width="100%",
        ),
        current=routes.ADMIN_SUPERVISION,
    )
