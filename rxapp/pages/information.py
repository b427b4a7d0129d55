"""Vos informations (MES INFORMATIONS), and the Démarches and Vos documents pages."""

from __future__ import annotations

import reflex as rx

from rxapp import routes
from rxapp.components.layout import loading_status, page_shell
from rxapp.components.notice import unavailable_alert
from rxapp.pages.procedures import QUICK_PROCEDURES
from rxapp.state.information import InformationState, PersonRow
from rxapp.theme import BARE_LIST, BORDER, BOX_PADDING, RADIUS, WARNING_TEXT

PENDING_NOTE = "Votre choix de complémentaire sera traité sous 7 jours à partir de la date de la demande."


def _item(term: str, *details: rx.Component | str) -> rx.Component:
    return rx.fragment(
        rx.el.dt(term, font_weight="700", margin_top="12px"),
        rx.el.dd(*details, margin="2px 0 0"),
    )


def _organisation(person: PersonRow) -> rx.Component:
    return rx.cond(
        person.request_date,
        rx.box(
            rx.flex(
                rx.badge("DEMANDE EN COURS", color_scheme="blue", variant="solid", high_contrast=True),
                rx.text("Demande faite le ", person.request_date),
                gap="8px",
                wrap="wrap",
                align="center",
            ),
            rx.text(PENDING_NOTE, size="2", margin_top="4px"),
        ),
        rx.box(
            rx.text(rx.cond(person.organisations, person.organisations, "Aucune complémentaire enregistrée")),
            rx.cond(
                person.transmission_blocked,
                rx.text("Transmission automatique des remboursements bloquée", size="2", color=WARNING_TEXT),
            ),
        ),
    )


def _person(person: PersonRow) -> rx.Component:
    return rx.el.li(
        rx.heading(person.first_name, as_="h3", size="4"),
        rx.text("Né(e) le ", person.birth_date),
        rx.el.dl(_item("Organisme complémentaire", _organisation(person)), margin="0"),
        border=BORDER,
        border_radius=RADIUS,
        padding=BOX_PADDING,
    )


def information_page() -> rx.Component:
    return page_shell(
        rx.heading("Mes informations", as_="h1", size="7"),
        unavailable_alert(InformationState.unavailable),
        rx.cond(
            InformationState.loaded,
            rx.vstack(
                rx.el.section(
                    rx.heading(InformationState.full_name, as_="h2", size="5"),
                    rx.el.dl(
                        _item("Numéro de sécurité sociale", InformationState.nir),
                        _item(
                            "Droits",
                            rx.cond(
                                InformationState.rights_open,
                                "Vos droits à l'Assurance Maladie sont ouverts.",
                                "Vos droits à l'Assurance Maladie sont fermés : contactez votre caisse.",
                            ),
                        ),
                        _item(
                            "Caisse d'assurance maladie",
                            rx.text(InformationState.cpam_name),
                            rx.cond(
                                InformationState.cpam_code,
                                rx.text("Code d'organisme ", InformationState.cpam_code),
                            ),
                        ),
                        rx.cond(
                            InformationState.doctor,
                            _item(
                                "Médecin traitant",
                                rx.text(InformationState.doctor),
                                rx.text("Spécialité : ", InformationState.doctor_specialty),
                                rx.text("Date de déclaration : ", InformationState.doctor_declared_on),
                            ),
                        ),
                        margin="0",
                    ),
                    aria_label="Assuré",
                ),
                rx.heading("Bénéficiaires", as_="h2", size="5", margin_top="16px"),
                rx.el.ul(
                    rx.foreach(InformationState.persons, _person),
                    **BARE_LIST,
                    display="grid",
                    grid_template_columns=rx.breakpoints(initial="1fr", md="1fr 1fr"),
                    gap="12px",
                    width="100%",
                ),
                spacing="3",
                width="100%",
            ),
            rx.cond(~InformationState.unavailable, loading_status("Chargement…")),
        ),
        signed_in=True,
        current=routes.INFORMATION,
    )


def procedures_page() -> rx.Component:
    return page_shell(
        rx.heading("Démarches", as_="h1", size="7"),
        rx.el.ul(
            rx.el.li(
                rx.link(
                    "Choisir l'organisme complémentaire destinataire de vos remboursements",
                    href=routes.SELECTION,
                ),
                padding_y="6px",
            ),
            *[
                rx.el.li(rx.link(procedure.name, href=procedure.route), padding_y="6px")
                for procedure in QUICK_PROCEDURES
            ],
            padding_left="18px",
        ),
        signed_in=True,
        current=routes.PROCEDURES,
    )


def documents_page() -> rx.Component:
    return page_shell(
        rx.heading("Vos documents", as_="h1", size="7"),
        rx.text("Les relevés des paiements non transmis à votre complémentaire se trouvent dans "),
        rx.link("Frais de santé", href=routes.PAYMENTS),
        signed_in=True,
        current=routes.DOCUMENTS,
    )
