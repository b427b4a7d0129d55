"""The queue of affaires: filters, table and pagination."""

from __future__ import annotations

import reflex as rx

from rxapp import routes
from rxapp.components.admin import agent_shell, error_alert, scroll_table
from rxapp.pages.admin.shared import BUTTON, heading, late_mark, queue_link
from rxapp.state.admin import AdminQueueState, QueueRowView

QUEUE_HEADERS = (
    "Référence",
    "Assuré",
    "Bénéficiaires",
    "Créée le",
    "Échéance",
    "Statut",
    "Responsable",
    "Complexe",
)


def _check_filter(text: str, checked: rx.Var[bool], on_change) -> rx.Component:
    """A checkbox filter, its text as its label."""
    return rx.el.label(
        rx.el.input(type="checkbox", checked=checked, on_change=on_change, class_name="admin-checkbox"),
        text,
        class_name="admin-check-label",
    )


def _filters() -> rx.Component:
    return rx.el.fieldset(
        rx.el.legend("Filtrer les affaires", font_weight="700", padding_x="4px"),
        rx.flex(
            rx.vstack(
                rx.el.label("Statut", html_for="filtre-statut", font_weight="600"),
                rx.el.select(
                    rx.el.option("Toutes", value=""),
                    rx.el.option("Nouvelle", value="nouvelle"),
                    rx.el.option("En cours", value="en_cours"),
                    rx.el.option("Clôturée", value="cloturee"),
                    id="filtre-statut",
                    value=AdminQueueState.status_filter,
                    on_change=AdminQueueState.filter_status,
                    class_name="admin-select",
                ),
                spacing="1",
            ),
            _check_filter(
                "Cas complexes uniquement", AdminQueueState.complex_only, AdminQueueState.filter_complex
            ),
            _check_filter(
                "En retard uniquement", AdminQueueState.overdue_only, AdminQueueState.filter_overdue
            ),
            gap="16px",
            align="end",
            wrap="wrap",
        ),
        class_name="admin-fieldset",
    )


def _queue_row(row: QueueRowView) -> rx.Component:
    return rx.el.tr(
        rx.el.th(queue_link(row), scope="row"),
        rx.el.td(row.insured),
        rx.el.td(row.beneficiaries),
        rx.el.td(row.created),
        rx.el.td(row.due, late_mark(row)),
        rx.el.td(row.status),
        rx.el.td(row.owner),
        rx.el.td(row.complex_label),
    )


def _queue_table() -> rx.Component:
    return scroll_table(
        "Affaires de la file (tableau défilant)",
        rx.el.caption(
            "Affaires, de l'échéance la plus proche à la plus lointaine, page ",
            AdminQueueState.page_number,
            " sur ",
            AdminQueueState.pages,
        ),
        rx.el.thead(rx.el.tr(*[rx.el.th(name, scope="col") for name in QUEUE_HEADERS])),
        rx.el.tbody(rx.foreach(AdminQueueState.rows, _queue_row)),
    )


def _pagination() -> rx.Component:
    return rx.el.nav(
        rx.flex(
            rx.button(
                "Page précédente",
                on_click=AdminQueueState.previous_page,
                disabled=AdminQueueState.page_number <= 1,
                variant="outline",
                **BUTTON,
            ),
            rx.text("Page ", AdminQueueState.page_number, " sur ", AdminQueueState.pages, weight="medium"),
            rx.button(
                "Page suivante",
                on_click=AdminQueueState.next_page,
                disabled=AdminQueueState.page_number >= AdminQueueState.pages,
                variant="outline",
                **BUTTON,
            ),
            gap="12px",
            align="center",
            wrap="wrap",
        ),
        aria_label="Pages de la file",
    )


def admin_queue_page() -> rx.Component:
    """The agent's queue of affaires, filtered and paginated."""
    return agent_shell(
        rx.vstack(
            heading("File des affaires"),
            _filters(),
            error_alert(AdminQueueState.error),
            rx.text(AdminQueueState.summary, role="status", weight="medium"),
            rx.cond(
                AdminQueueState.rows.length() > 0,
                rx.vstack(_queue_table(), _pagination(), spacing="4", width="100%"),
            ),
            spacing="5",
            width="100%",
            # A screen of height while the rows load: the footer is not pushed down in view.
            min_height="100vh",
        ),
        current=routes.ADMIN_QUEUE,
    )
