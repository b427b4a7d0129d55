"""The démarches of "Vos démarches en 2 clics": one page each, saying plainly what it is."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from rxapp import routes
from rxapp.components.layout import page_shell
from rxapp.theme import BRAND_BLUE, BUTTON_RADIUS, TOUCH_TARGET

ACCESSIBLE_ATTESTATION = "Consulter mon attestation de droits en version accessible"
PHONE_NOTE = "Par téléphone : 3646 (service gratuit + prix d'un appel), du lundi au vendredi."


@dataclass(frozen=True)
class Procedure:
    """A démarche: its name (the link's text and the page's heading), route and explanation."""

    name: str
    route: str
    paragraphs: tuple[str, ...] = ()


RIGHTS_ATTESTATION = Procedure(
    "Attestation de droits",
    routes.RIGHTS_ATTESTATION,
    (
        "L'attestation de droits prouve que vous êtes affilié(e) à l'Assurance Maladie. Elle indique "
        "vos nom et numéro de sécurité sociale, l'ouverture de vos droits, votre caisse d'assurance "
        "maladie et les bénéficiaires rattachés à votre compte, avec leur date de naissance.",
        "Elle est établie à la date du jour, au format PDF, avec une référence qui permet à un "
        "organisme (employeur, hôpital, mairie…) de la faire vérifier auprès de votre caisse.",
    ),
)
DAILY_ALLOWANCE_ATTESTATION = Procedure(
    "Attestation de paiement d'indemnités journalières",
    routes.DAILY_ALLOWANCE_ATTESTATION,
    (
        "Cette attestation récapitule les indemnités journalières versées pendant un arrêt de travail "
        "(maladie, maternité, paternité, accident du travail) : périodes indemnisées et montants. "
        "Elle sert par exemple à votre employeur, à France Travail ou à votre prévoyance.",
        "Elle ne peut pas encore être téléchargée depuis ce compte. Demandez-la à votre caisse "
        "d'assurance maladie : elle vous sera envoyée par courrier.",
    ),
)
EHIC_LOSS = Procedure(
    "Déclarer la perte ou le vol d'une carte européenne d'assurance maladie (CEAM)",
    routes.EHIC_LOSS,
    (
        "La carte européenne d'assurance maladie (CEAM) permet de faire prendre en charge vos soins "
        "lors d'un séjour dans un pays de l'Union européenne, de l'Espace économique européen, en "
        "Suisse ou au Royaume-Uni. Une carte perdue ou volée doit être déclarée, puis remplacée.",
        "Cette déclaration ne peut pas encore être faite depuis ce compte : signalez la perte ou le "
        "vol à votre caisse d'assurance maladie. Si vous êtes à l'étranger, elle vous envoie un "
        "certificat provisoire de remplacement, valable comme la carte.",
    ),
)
EHIC_ORDER = Procedure(
    "Commander une carte européenne d'assurance maladie (CEAM)",
    routes.EHIC_ORDER,
    (
        "La carte européenne d'assurance maladie (CEAM) est gratuite, individuelle (une carte par "
        "bénéficiaire, enfants compris) et valable 2 ans. Elle est envoyée par courrier sous 3 "
        "semaines environ : commandez-la au moins 3 semaines avant votre départ.",
        "Cette commande ne peut pas encore être faite depuis ce compte : adressez-la à votre caisse "
        "d'assurance maladie. Si vous partez dans moins de 3 semaines, elle vous délivre un "
        "certificat provisoire de remplacement.",
    ),
)
PROCESSING_DELAYS = Procedure(
    "Consulter les délais de traitement de ma Caisse d'Assurance Maladie",
    routes.PROCESSING_DELAYS,
)

# In the order of the dashboard's "Vos démarches en 2 clics".
QUICK_PROCEDURES: tuple[Procedure, ...] = (
    RIGHTS_ATTESTATION,
    DAILY_ALLOWANCE_ATTESTATION,
    EHIC_LOSS,
    EHIC_ORDER,
    PROCESSING_DELAYS,
)
# The démarches explained by a page of text (the délais page is computed: rxapp/pages/delays.py).
TEXT_PROCEDURES: tuple[Procedure, ...] = (DAILY_ALLOWANCE_ATTESTATION, EHIC_LOSS, EHIC_ORDER)


def back_to_procedures() -> rx.Component:
    return rx.link("Toutes les démarches", href=routes.PROCEDURES)


def procedure_page(procedure: Procedure, *extra: rx.Component) -> rx.Component:
    """A démarche's page: its name as the heading, what it is, then `extra`."""
    return page_shell(
        rx.vstack(
            rx.heading(procedure.name, as_="h1", size="7"),
            *[rx.text(paragraph) for paragraph in procedure.paragraphs],
            *extra,
            back_to_procedures(),
            spacing="4",
            max_width="760px",
        ),
        signed_in=True,
        current=routes.PROCEDURES,
    )


def text_procedure_page(route: str) -> rx.Component:
    """The page of a démarche that is explained, with the way to do it."""
    procedure = next(item for item in TEXT_PROCEDURES if item.route == route)
    return procedure_page(
        procedure,
        rx.text(PHONE_NOTE),
        rx.link("Écrire à votre caisse depuis votre messagerie", href=routes.MESSAGES),
    )


def rights_attestation_page() -> rx.Component:
    # rx.el.a is React Router's Link: reload_document leaves the click to the browser,
    # which downloads the PDF from the HTTP route instead of routing to a page.
    # Beside the PDF, its accessible version (RGAA 13.3): a page that states the same.
    return procedure_page(
        RIGHTS_ATTESTATION,
        rx.flex(
            rx.el.a(
                "Télécharger mon attestation de droits (PDF)",
                href=routes.ATTESTATION_PDF,
                download=True,
                reload_document=True,
                display="inline-flex",
                align_items="center",
                min_height=TOUCH_TARGET,
                padding="10px 16px",
                border_radius=BUTTON_RADIUS,
                background=BRAND_BLUE,
                color="white",
                font_weight="500",
                text_decoration="none",
                class_name="button-link",
            ),
            rx.link(
                ACCESSIBLE_ATTESTATION,
                href=routes.ATTESTATION_PAGE,
                color=BRAND_BLUE,
                text_decoration="underline",
                display="inline-block",
                padding_y="10px",
            ),
            gap="12px 24px",
            align="center",
            wrap="wrap",
        ),
    )
