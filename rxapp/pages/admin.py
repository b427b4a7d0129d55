"""Medialog+ pages: login, queue of affaires, one affaire, supervision, simulation."""

from __future__ import annotations

import reflex as rx

from rxapp import routes
from rxapp.components.admin import agent_shell, error_alert, scroll_table, success_status
from rxapp.components.forms import text_field
from rxapp.components.layout import BRAND_BLUE
from rxapp.components.oc_choice import contract_lines
from rxapp.services.medialog import MAX_TRANSFER_REASON
from rxapp.state.admin import (
    AdminAffaireState,
    AdminQueueState,
    AdminSimulationState,
    AdminSupervisionState,
    AgentLoginState,
    CountView,
    DetailLineView,
    HistoryView,
    QueueRowView,
)

BUTTON = {"size": "3", "min_height": "44px", "white_space": "normal", "height": "auto", "padding_y": "10px"}
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
LATE_RED = "#b91c1c"


def _heading(text, level: int = 1) -> rx.Component:
    sizes = {1: "7", 2: "5", 3: "4"}
    return rx.heading(text, as_=f"h{level}", size=sizes[level])


def _queue_link(row: QueueRowView) -> rx.Component:
    return rx.link(row.reference, href=row.url, color=BRAND_BLUE, text_decoration="underline")


def _late(row: QueueRowView) -> rx.Component:
    return rx.cond(
        row.overdue,
        rx.el.strong("En retard", color=LATE_RED, display="block"),
    )


# --- login ---------------------------------------------------------------------------------------


def admin_login_page() -> rx.Component:
    return agent_shell(
        rx.vstack(
            _heading("Espace agents Medialog+"),
            rx.text("Connectez-vous avec l'identifiant et le mot de passe de votre poste."),
            rx.form(
                rx.vstack(
                    text_field("Identifiant", "identifiant", name="login", auto_complete="username"),
                    text_field(
                        "Mot de passe",
                        "mot-de-passe",
                        name="password",
                        type="password",
                        auto_complete="current-password",
                    ),
                    error_alert(AgentLoginState.error),
                    rx.button(
                        "Se connecter",
                        type="submit",
                        size="3",
                        width="100%",
                        min_height="44px",
                        background=BRAND_BLUE,
                    ),
                    spacing="4",
                    width="100%",
                ),
                on_submit=AgentLoginState.submit,
                reset_on_submit=False,
                width="100%",
            ),
            spacing="5",
            max_width="440px",
            width="100%",
            margin_x="auto",
        ),
        signed_in=False,
    )


# --- queue ---------------------------------------------------------------------------------------


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
            rx.el.label(
                rx.el.input(
                    type="checkbox",
                    checked=AdminQueueState.complex_only,
                    on_change=AdminQueueState.filter_complex,
                    class_name="admin-checkbox",
                ),
                "Cas complexes uniquement",
                class_name="admin-check-label",
            ),
            rx.el.label(
                rx.el.input(
                    type="checkbox",
                    checked=AdminQueueState.overdue_only,
                    on_change=AdminQueueState.filter_overdue,
                    class_name="admin-checkbox",
                ),
                "En retard uniquement",
                class_name="admin-check-label",
            ),
            gap="16px",
            align="end",
            wrap="wrap",
        ),
        class_name="admin-fieldset",
    )


def _queue_row(row: QueueRowView) -> rx.Component:
    return rx.el.tr(
        rx.el.th(_queue_link(row), scope="row"),
        rx.el.td(row.insured),
        rx.el.td(row.beneficiaries),
        rx.el.td(row.created),
        rx.el.td(row.due, _late(row)),
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
    return agent_shell(
        rx.vstack(
            _heading("File des affaires"),
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


# --- one affaire ---------------------------------------------------------------------------------


def _fact(label: str, value) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(label, color="#374151"), rx.data_list.value(value))


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
        border="1px solid #d1d5db",
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
        border_top="1px solid #e5e7eb",
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
        _heading("Actions", 2),
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
                    color="#4b5563",
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


def admin_affaire_page() -> rx.Component:
    return agent_shell(
        rx.vstack(
            _heading(rx.cond(AdminAffaireState.reference, AdminAffaireState.reference, "Affaire")),
            error_alert(AdminAffaireState.error),
            success_status(AdminAffaireState.message),
            rx.cond(
                AdminAffaireState.loaded,
                rx.vstack(
                    _facts(),
                    _heading("Bénéficiaires", 2),
                    rx.el.ul(
                        rx.foreach(AdminAffaireState.lines, _line), padding="0", margin="0", width="100%"
                    ),
                    _actions(),
                    _heading("Historique", 2),
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


# --- supervision ---------------------------------------------------------------------------------

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
                rx.recharts.x_axis(data_key="label", stroke="#374151"),
                rx.recharts.y_axis(allow_decimals=False, stroke="#374151", width=40),
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
        _queue_link(row),
        rx.el.span(" - ", row.insured, " - échéance le ", row.due),
    )


def admin_supervision_page() -> rx.Component:
    return agent_shell(
        rx.vstack(
            _heading("Supervision"),
            error_alert(AdminSupervisionState.error),
            rx.cond(
                AdminSupervisionState.loaded,
                rx.vstack(
                    _heading("Affaires par statut", 2),
                    rx.el.ul(rx.foreach(AdminSupervisionState.backlog, _count_item), padding_left="20px"),
                    _heading("Délai de traitement", 2),
                    rx.text(AdminSupervisionState.within_target, weight="medium"),
                    _processing_chart(),
                    _heading("Satisfaction des assurés", 2),
                    rx.text(AdminSupervisionState.satisfaction),
                    _heading("Affaires en retard", 2),
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


# --- simulation ----------------------------------------------------------------------------------

SIMULATION_INTRO = (
    "Ajoute un contrat d'organisme complémentaire à un bénéficiaire de votre CPAM, comme le ferait "
    "un flux NOEMIE. Si ce bénéficiaire a déjà un contrat en cours, un chevauchement apparaît."
)


def admin_simulation_page() -> rx.Component:
    return agent_shell(
        rx.vstack(
            _heading("Simulation"),
            _heading("Simuler un flux NOEMIE", 2),
            rx.text(SIMULATION_INTRO),
            rx.form(
                rx.vstack(
                    text_field(
                        "NIR de l'assuré",
                        "simulation-nir",
                        hint="13 chiffres, ou 15 avec la clé (les espaces sont acceptés)",
                        name="nir",
                        required=True,
                    ),
                    text_field(
                        "Prénom du bénéficiaire", "simulation-prenom", name="first_name", required=True
                    ),
                    rx.vstack(
                        rx.el.label(
                            "Organisme complémentaire", html_for="simulation-organisme", font_weight="600"
                        ),
                        rx.el.select(
                            rx.el.option("Choisissez un organisme", value=""),
                            rx.foreach(
                                AdminSimulationState.organisations,
                                lambda option: rx.el.option(option.name, value=option.value),
                            ),
                            id="simulation-organisme",
                            name="organisation",
                            required=True,
                            class_name="admin-select",
                        ),
                        spacing="1",
                        width="100%",
                    ),
                    text_field(
                        "N° adhérent (facultatif)",
                        "simulation-adherent",
                        name="member_number",
                        max_length=30,
                    ),
                    error_alert(AdminSimulationState.error),
                    success_status(AdminSimulationState.message),
                    rx.button("Simuler un flux NOEMIE", type="submit", background=BRAND_BLUE, **BUTTON),
                    spacing="4",
                    width="100%",
                ),
                on_submit=AdminSimulationState.simulate,
                reset_on_submit=False,
                width="100%",
                max_width="520px",
            ),
            spacing="5",
            width="100%",
        ),
        current=routes.ADMIN_SIMULATION,
    )
