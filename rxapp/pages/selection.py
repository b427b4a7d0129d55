"""The teleservice pages: selection, recap, confirmation, help."""

from __future__ import annotations

import reflex as rx

from rxapp import routes
from rxapp.components.layout import button_link, loading_status, page_shell
from rxapp.components.notice import callout, callout_block
from rxapp.components.oc_choice import beneficiary_legend, contract_lines
from rxapp.components.stepper import stepper
from rxapp.state.selection import (
    TITLE,
    BeneficiaryChoice,
    EligibilityStatus,
    OptionView,
    RecapLine,
    SelectionState,
)
from rxapp.theme import (
    BARE_LIST,
    BORDER,
    BOX_PADDING,
    BRAND_BLUE,
    ERROR_BACKGROUND,
    ERROR_BORDER,
    ERROR_TEXT,
    RADIUS,
    SUCCESS_BACKGROUND,
    SUCCESS_BORDER,
    SURFACE_MUTED,
    TEXT_SECONDARY,
    WRAPPING_BUTTON,
)

INSTRUCTION = (
    "Pour chaque bénéficiaire, choisissez l'organisme complémentaire qui recevra automatiquement "
    "vos remboursements afin de passer à l'étape suivante."
)
FOOTNOTE = (
    "* Le numéro d'adhérent/de contrat figure sur la carte ou l'attestation délivrée par votre "
    "organisme complémentaire."
)
OTHER_OC_NOTE = (
    "L'autre organisme complémentaire ne sera plus visible dans votre compte ameli sous 7 jours. "
    "Pour plus d'informations, contactez votre complémentaire."
)


def back_to_dashboard() -> rx.Component:
    return rx.link(
        "Retourner au tableau de bord", href=routes.DASHBOARD, display="inline-block", padding_y="10px"
    )


def help_link() -> rx.Component:
    return rx.link("Aide", href=routes.SELECTION_HELP, display="inline-block", padding_y="10px")


def status_panel() -> rx.Component:
    """What replaces the form when the insured cannot choose now."""
    return rx.match(
        SelectionState.status,
        (EligibilityStatus.LOADING, loading_status("Chargement de votre situation…")),
        (
            EligibilityStatus.PENDING,
            callout_block(
                rx.vstack(
                    rx.text("Votre demande est en cours de traitement.", weight="bold"),
                    rx.text(SelectionState.notice),
                    rx.text(
                        "Votre choix de complémentaire sera traité sous 7 jours à partir de la date de la demande."
                    ),
                ),
                color_scheme="blue",
                role="status",
            ),
        ),
        (EligibilityStatus.UNAVAILABLE, callout(SelectionState.notice, color_scheme="red", role="alert")),
        callout(SelectionState.notice, color_scheme="amber", role="status"),
    )


def error_summary() -> rx.Component:
    return rx.cond(
        SelectionState.missing_names.length() > 0,
        rx.box(
            rx.heading("Il manque un choix", as_="h2", size="4", color=ERROR_TEXT),
            rx.el.ul(
                rx.foreach(
                    SelectionState.beneficiaries,
                    lambda b: rx.cond(
                        b.missing,
                        rx.el.li(
                            rx.link(
                                "Sélectionnez un organisme pour ",
                                b.name,
                                href="#groupe-" + b.id,
                                color=ERROR_TEXT,
                                text_decoration="underline",
                            )
                        ),
                    ),
                ),
                margin="8px 0 0",
                padding_left="20px",
            ),
            id="erreurs",
            role="alert",
            tab_index=-1,
            border=f"2px solid {ERROR_BORDER}",
            border_radius=RADIUS,
            padding="16px",
            background=ERROR_BACKGROUND,
        ),
    )


def _option(beneficiary: BeneficiaryChoice, option: OptionView) -> rx.Component:
    input_id = "choix-" + beneficiary.id + "-" + option.id
    return rx.el.label(
        rx.el.input(
            type="radio",
            id=input_id,
            name="beneficiaire-" + beneficiary.id,
            value=option.id,
            default_checked=beneficiary.chosen == option.id,
            on_change=lambda _value: SelectionState.choose(beneficiary.id, option.id),
        ),
        rx.el.span(*contract_lines(option.organisation, option.member_number, option.start)),
        html_for=input_id,
        class_name="oc-option",
    )


def _group(beneficiary: BeneficiaryChoice) -> rx.Component:
    return rx.el.fieldset(
        rx.el.legend(*beneficiary_legend(beneficiary.name, beneficiary.birth), padding="0 6px"),
        rx.cond(
            beneficiary.missing,
            rx.text(
                "Sélectionnez un organisme pour ",
                beneficiary.name,
                ".",
                id="erreur-" + beneficiary.id,
                color=ERROR_TEXT,
                weight="bold",
                margin_y="6px",
            ),
        ),
        rx.vstack(
            rx.foreach(beneficiary.options, lambda o: _option(beneficiary, o)), spacing="2", margin_top="8px"
        ),
        id="groupe-" + beneficiary.id,
        class_name="beneficiary-group",
        aria_invalid=rx.cond(beneficiary.missing, "true", "false"),
        aria_describedby=rx.cond(beneficiary.missing, "erreur-" + beneficiary.id, ""),
    )


def _actions(secondary: rx.Component, primary: str, **primary_props) -> rx.Component:
    """A step's buttons: a way back, the step's own (primary) button, then the help link."""
    return rx.flex(
        secondary,
        rx.button(primary, background=BRAND_BLUE, **primary_props, **WRAPPING_BUTTON),
        help_link(),
        gap="12px",
        wrap="wrap",
        align="center",
        margin_top="24px",
    )


def _step_page(*children: rx.Component) -> rx.Component:
    """A step of the démarche: `children` while the insured may choose, else why not."""
    return page_shell(
        back_to_dashboard(),
        rx.heading(TITLE, as_="h1", size="7", margin_top="8px"),
        rx.cond(
            SelectionState.status == EligibilityStatus.ELIGIBLE,
            rx.vstack(*children, spacing="4", width="100%"),
            rx.vstack(status_panel(), back_to_dashboard(), spacing="4", margin_top="16px"),
        ),
        signed_in=True,
        current=routes.PROCEDURES,
    )


def selection_page() -> rx.Component:
    return _step_page(
        stepper(1),
        error_summary(),
        rx.text(INSTRUCTION),
        rx.text(FOOTNOTE, size="2", color=TEXT_SECONDARY),
        rx.vstack(rx.foreach(SelectionState.beneficiaries, _group), spacing="4", width="100%"),
        callout(OTHER_OC_NOTE, icon="info", color_scheme="blue", width="100%"),
        _actions(
            # A link that looks like a button: a <button> inside an <a> is invalid HTML (RGAA 8.2).
            button_link("Retourner au tableau de bord", routes.DASHBOARD),
            "Passer à l'étape suivante",
            on_click=SelectionState.next_step,
        ),
    )


def _recap_line(line: RecapLine) -> rx.Component:
    return rx.el.li(
        rx.el.div(*beneficiary_legend(line.name, line.birth)),
        rx.el.div(*contract_lines(line.organisation, line.member_number, line.start, asterisk=False)),
        display="grid",
        grid_template_columns=rx.breakpoints(initial="1fr", sm="1fr 1fr"),
        gap="8px 24px",
        padding=BOX_PADDING,
        border=BORDER,
        border_radius=RADIUS,
    )


def recap_page() -> rx.Component:
    return _step_page(
        stepper(2),
        rx.cond(
            SelectionState.refusal,
            callout(SelectionState.refusal, color_scheme="red", role="alert", width="100%"),
        ),
        rx.heading("Confirmez votre choix de complémentaire :", as_="h3", size="4"),
        rx.el.ul(
            rx.foreach(SelectionState.recap, _recap_line),
            **BARE_LIST,
            display="flex",
            flex_direction="column",
            gap="12px",
            width="100%",
        ),
        rx.text(
            "Rien n'est transmis tant que vous n'avez pas confirmé. "
            "Vous pouvez encore revenir à l'étape précédente pour modifier votre choix."
        ),
        _actions(
            button_link("Retourner à l'étape précédente", routes.SELECTION),
            "Confirmer",
            on_click=SelectionState.confirm,
            loading=SelectionState.submitting,
        ),
    )


def _satisfaction() -> rx.Component:
    return rx.box(
        rx.cond(
            SelectionState.satisfaction_recorded,
            rx.text("Merci pour votre réponse.", role="status", weight="bold"),
            rx.el.fieldset(
                rx.el.legend("Etes-vous satisfait de ce service ?", font_weight="700"),
                rx.flex(
                    rx.button(
                        "Non",
                        variant="outline",
                        on_click=SelectionState.answer_satisfaction(False),
                        **WRAPPING_BUTTON,
                    ),
                    rx.button(
                        "Oui",
                        variant="outline",
                        on_click=SelectionState.answer_satisfaction(True),
                        **WRAPPING_BUTTON,
                    ),
                    gap="12px",
                    margin_top="8px",
                ),
                border="none",
                padding="0",
                margin="0",
            ),
        ),
        padding="16px",
        background=SURFACE_MUTED,
        border_radius=RADIUS,
        width="100%",
    )


# The shapes of a reference and a day, for the box's layout while they load (never shown).
REFERENCE_SHAPE = "DEM-2026-7Q4K9M2X"
DAY_SHAPE = "01/12/2026"


def _request_summary() -> rx.Component:
    """The request's reference and date: the box holds its place in the prerendered page, so the
    fixed text under it is painted at once, and its content appears when the state arrives."""
    read = SelectionState.reference != ""
    return rx.box(
        rx.box(
            rx.heading("Votre choix a bien été transmis.", as_="h1", size="7"),
            rx.text(
                "Référence de votre demande : ",
                # Until then, hidden text of a reference's length keeps the lines' wrapping.
                rx.el.strong(rx.cond(read, SelectionState.reference, REFERENCE_SHAPE)),
            ),
            rx.text("Demande faite le ", rx.cond(read, SelectionState.request_date, DAY_SHAPE)),
            # Hidden (from screen readers too) until the request is read, so nothing claims
            # a transmission before the on_load has found one.
            visibility=rx.cond(read, "visible", "hidden"),
        ),
        # Announced as a status message (RGAA 7.5) when the confirmation replaces the recap.
        role="status",
        padding="16px",
        border_left=f"6px solid {SUCCESS_BORDER}",
        background=SUCCESS_BACKGROUND,
        width="100%",
    )


def confirmation_page() -> rx.Component:
    """Only the reference and the date come from the state: the rest does not depend on the
    request, and is in the prerendered page (its paragraph is the page's largest paint)."""
    return page_shell(
        rx.vstack(
            _request_summary(),
            rx.heading("Et ensuite ?", as_="h2", size="5"),
            rx.text(
                "Votre choix sera traité sous 7 jours. Un accusé de réception a été déposé dans votre "
                "messagerie, et une notification vous informera dans votre compte dès que la transmission "
                "automatique de vos remboursements à votre complémentaire sera activée."
            ),
            callout(
                # Inline content: the callout's text is already a paragraph (RGAA 8.2).
                rx.fragment(
                    "Pensez à télécharger les relevés de paiements non transmis dans la rubrique ",
                    rx.link("Vos paiements", href=routes.PAYMENTS, underline="always", high_contrast=True),
                    " et transmettez-les à votre complémentaire pour vous faire rembourser.",
                ),
                icon="info",
                color_scheme="blue",
                width="100%",
            ),
            _satisfaction(),
            button_link("Retourner au tableau de bord", routes.DASHBOARD, primary=True),
            spacing="4",
            width="100%",
        ),
        signed_in=True,
        current=routes.PROCEDURES,
    )


def selection_help_page() -> rx.Component:
    return page_shell(
        rx.heading("Aide : choisir votre complémentaire santé", as_="h1", size="7"),
        rx.vstack(
            rx.text(
                "Un seul organisme complémentaire peut recevoir automatiquement les informations de vos "
                "remboursements (transmission NOEMIE). Deux complémentaires sont actuellement enregistrées "
                "pour vous ou vos ayants droit : la transmission est donc bloquée."
            ),
            rx.text(
                "Choisissez, pour chaque bénéficiaire, la complémentaire à conserver, en général celle de votre "
                "contrat actuel. Votre caisse traite votre choix sous 7 jours ; l'autre complémentaire ne sera "
                "plus visible dans votre compte."
            ),
            rx.text(
                "Le numéro d'adhérent figure sur la carte ou l'attestation délivrée par votre complémentaire. "
                "S'il manque, vous pouvez tout de même faire votre choix."
            ),
            rx.text("Vos choix déjà faits sont conservés."),
            rx.link("Retourner à la démarche", href=routes.SELECTION),
            spacing="3",
            max_width="760px",
        ),
        signed_in=True,
        current=routes.PROCEDURES,
    )
