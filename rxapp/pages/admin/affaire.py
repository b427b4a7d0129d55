"""One affaire: facts, lines, history and the agent's actions."""

from __future__ import annotations

import reflex as rx

from rxapp import routes
from rxapp.components.admin import agent_shell, error_alert, scroll_table, success_status
from rxapp.components.layout import read_for_this_address
from rxapp.components.oc_choice import contract_lines
from rxapp.pages.admin.shared import BUTTON, heading
from rxapp.services.medialog import MAX_TRANSFER_REASON
from rxapp.state.admin import AdminAffaireState, DetailLineView, HistoryView
from rxapp.theme import BORDER, BRAND_BLUE, DIVIDER, TEXT_HINT, TEXT_SECONDARY


def _fact(label: str, value) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(label, color=TEXT_SECONDARY), rx.data_list.value(value))


def _facts() -> rx.Component:
    return rx.data_list.root(
        _fact("Assuré", AdminAffaireState.insured),
        _fact("NIR", AdminAffaireState.nir),
        _fact("CPAM", AdminAffaireState.cpam),
        _fact("Statut", AdminAffaireState.status),
        _fact("Responsable", AdminAffaireState.owner),
        _fact("Cas complexe", AdminAffaireState.complex_label),
        _fact("Créée le", AdminAffaireState.created),
        _fact("Échéance", AdminAffaireState.due),
        orientation=rx.breakpoints(initial="vertical", sm="horizontal"),
        size="2",
    )


def _contract_box(title: str, organisation, member_number, start) -> rx.Component:
    return rx.box(
        rx.heading(title, as_="h4", size="3", margin_bottom="4px"),
        *contract_lines(organisation, member_number, start, asterisk=False),
        padding="12px",
        border=BORDER,
        border_radius="8px",
        flex="1 1 220px",
        min_width="0",
    )


def _line(line: DetailLineView) -> rx.Component:
    return rx.el.li(
        rx.el.section(
            rx.heading(line.beneficiary, as_="h3", size="4"),
            rx.text("Né(e) le : ", line.birth_date),
            rx.flex(
                _contract_box(
                    "Organisme choisi",
                    line.chosen_organisation,
                    line.chosen_member_number,
                    line.chosen_start,
                ),
                _contract_box(
                    "Organisme écarté",
                    line.rejected_organisation,
                    line.rejected_member_number,
                    line.rejected_start,
                ),
                gap="12px",
                wrap="wrap",
                margin_top="8px",
            ),
        ),
        list_style="none",
        padding="16px 0",
        border_top=DIVIDER,
    )


def _history_row(entry: HistoryView) -> rx.Component:
    return rx.el.tr(
        rx.el.td(entry.at, white_space="nowrap"),
        rx.el.td(entry.agent),
        rx.el.th(entry.action, scope="row"),
        rx.el.td(entry.detail),
    )


def _history() -> rx.Component:
    return scroll_table(
        "Historique de l'affaire (tableau défilant)",
        rx.el.caption("Historique de l'affaire, du plus ancien au plus récent"),
        rx.el.thead(
            rx.el.tr(*[rx.el.th(name, scope="col") for name in ("Date", "Agent", "Action", "Détail")])
        ),
        rx.el.tbody(rx.foreach(AdminAffaireState.history, _history_row)),
    )


def _actions() -> rx.Component:
    return rx.vstack(
        heading("Actions", 2),
        rx.flex(
            rx.button(
                "Prendre en charge", on_click=AdminAffaireState.take_charge, background=BRAND_BLUE, **BUTTON
            ),
            rx.button(
                "Mettre à jour Progrès",
                on_click=AdminAffaireState.update_progres,
                background=BRAND_BLUE,
                **BUTTON,
            ),
            rx.button(
                "Clôturer l'affaire",
                on_click=AdminAffaireState.close_affaire,
                background=BRAND_BLUE,
                **BUTTON,
            ),
            gap="12px",
            wrap="wrap",
        ),
        rx.form(
            rx.vstack(
                rx.el.label("Motif du transfert", html_for="motif-transfert", font_weight="600"),
                rx.text(
                    f"Obligatoire, {MAX_TRANSFER_REASON} caractères au plus. L'affaire quittera votre file.",
                    id="motif-transfert-aide",
                    size="2",
                    color=TEXT_HINT,
                ),
                rx.text_area(
                    id="motif-transfert",
                    name="reason",
                    required=True,
                    max_length=MAX_TRANSFER_REASON,
                    rows="3",
                    width="100%",
                    aria_describedby="motif-transfert-aide",
                ),
                rx.button("Transférer à la CPAM de Digne", type="submit", variant="outline", **BUTTON),
                spacing="2",
                width="100%",
                max_width="640px",
            ),
            on_submit=AdminAffaireState.transfer_to_digne,
            reset_on_submit=False,
            width="100%",
        ),
        spacing="4",
        width="100%",
    )


# What the state holds was read for this page's `?ref=`: never another affaire's, kept by the tab.
SHOWN = read_for_this_address(AdminAffaireState.read_for, routes.AFFAIRE_PARAMETER)


def affaire_title() -> rx.Var[str]:
    """The browser title, naming the affaire once it is shown."""
    name = rx.cond(SHOWN & AdminAffaireState.reference, "Affaire " + AdminAffaireState.reference, "Affaire")
    return rx.cond(SHOWN & AdminAffaireState.error, "Erreur : ", "") + name + " | Medialog+"


def admin_affaire_page() -> rx.Component:
    """One affaire, for an agent allowed to see it, with the actions still possible."""
    return agent_shell(
        rx.vstack(
            heading(rx.cond(SHOWN & AdminAffaireState.reference, AdminAffaireState.reference, "Affaire")),
            error_alert(rx.cond(SHOWN, AdminAffaireState.error, "")),
            success_status(rx.cond(SHOWN, AdminAffaireState.message, "")),
            rx.cond(
                SHOWN & AdminAffaireState.loaded,
                rx.vstack(
                    _facts(),
                    heading("Bénéficiaires", 2),
                    rx.el.ul(
                        rx.foreach(AdminAffaireState.lines, _line), padding="0", margin="0", width="100%"
                    ),
                    _actions(),
                    heading("Historique", 2),
                    _history(),
                    spacing="5",
                    width="100%",
                ),
            ),
            rx.link("Retour à la file des affaires", href=routes.ADMIN_QUEUE, color=BRAND_BLUE),
            spacing="5",
            width="100%",
        ),
        current=None,
    )
