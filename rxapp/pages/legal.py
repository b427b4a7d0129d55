"""The legal pages every page's footer links to: mentions légales, conditions générales
d'utilisation, données personnelles, plan du site. Public: no login needed."""

from __future__ import annotations

import reflex as rx

from rxapp import routes
from rxapp.components.layout import page_shell
from rxapp.components.prose import bullets, prose_page, section, text_link
from rxapp.services.auth import ABSOLUTE_TIMEOUT
from rxapp.services.privacy import duration, retention_periods
from rxapp.settings import get_settings

CNAM = "Caisse nationale de l'Assurance Maladie (Cnam)"
CNAM_ADDRESS = "50 avenue du Professeur André Lemierre, 75986 Paris Cedex 20"
CNIL_COMPLAINT = "https://www.cnil.fr/fr/plaintes"

LEGAL_NOTICE = "Mentions légales"
TERMS = "Conditions générales d'utilisation"
PERSONAL_DATA = "Données personnelles"
SITE_MAP = "Plan du site"


def legal_notice_page() -> rx.Component:
    return page_shell(
        prose_page(
            LEGAL_NOTICE,
            section(
                "Éditeur",
                f"Le compte ameli est édité par la {CNAM}, établissement public national à caractère "
                f"administratif, {CNAM_ADDRESS}.",
                "Directeur de la publication : le directeur général de la Cnam.",
            ),
            section(
                "Objet du service",
                "Ce service permet à un assuré couvert par deux complémentaires santé à la fois de choisir "
                "celle qui reçoit ses remboursements (télétransmission NOEMIE). Sa caisse d'Assurance "
                "Maladie traite la demande dans Medialog+ et l'en informe dans son compte.",
            ),
            section(
                "Hébergement",
                "Le service et ses données sont hébergés en France par l'Assurance Maladie, chez un "
                "hébergeur certifié pour les données de santé.",
            ),
            section(
                "Propriété intellectuelle",
                "Les textes et la présentation de ce service appartiennent à l'Assurance Maladie. Toute "
                "reproduction à des fins commerciales demande son accord écrit.",
            ),
            section(
                "Accessibilité et données personnelles",
                rx.text(
                    "Voir la ",
                    text_link("déclaration d'accessibilité", routes.ACCESSIBILITY),
                    " et la page ",
                    text_link("données personnelles", routes.PERSONAL_DATA),
                    ".",
                ),
            ),
        )
    )


def terms_page() -> rx.Component:
    idle = duration(get_settings().idle_timeout)
    warning = duration(get_settings().expiry_warning)
    return page_shell(
        prose_page(
            TERMS,
            section(
                "Objet",
                "Les présentes conditions règlent l'usage du compte ameli pour choisir la complémentaire "
                "santé qui reçoit vos remboursements quand deux contrats se chevauchent, consulter vos "
                "paiements, vos informations, vos notifications et vos messages.",
            ),
            section(
                "Accès au service",
                "Le service est gratuit. Vous vous connectez avec votre numéro de sécurité sociale et votre "
                "code personnel, ou avec FranceConnect. Votre code est strictement personnel : ne le "
                "communiquez à personne ; l'Assurance Maladie ne vous le demandera jamais.",
                "Après 5 essais infructueux en 15 minutes, la connexion à votre compte est bloquée "
                "pendant 15 minutes.",
            ),
            section(
                "Durée de la session",
                f"Sans activité pendant {idle}, vous êtes déconnecté pour protéger vos données. {warning} "
                "avant, un message vous prévient et vous propose de prolonger la session avec le bouton "
                f"« Prolonger ». Une session dure au plus {duration(ABSOLUTE_TIMEOUT)}.",
            ),
            section(
                "Votre choix de complémentaire",
                "Rien n'est transmis tant que vous n'avez pas confirmé votre choix sur la page récapitulative. "
                "Une fois confirmé, votre demande est traitée par votre caisse sous 7 jours ; vous êtes "
                "informé dans votre compte quand elle est traitée.",
            ),
            section(
                "Disponibilité et responsabilité",
                "Le service est accessible en permanence, sauf interruption pour maintenance ou incident. "
                "L'Assurance Maladie ne peut être tenue responsable d'une interruption ni d'un usage du "
                "compte par un tiers à qui vous auriez confié votre code.",
            ),
            section(
                "Données personnelles",
                rx.text(
                    "Le traitement de vos données est décrit à la page ",
                    text_link("données personnelles", routes.PERSONAL_DATA),
                    ".",
                ),
            ),
            section(
                "Évolution des conditions",
                "Ces conditions peuvent évoluer ; la version en vigueur est celle publiée sur cette page. "
                "Elles sont soumises au droit français.",
            ),
        )
    )


def _retention_list() -> rx.Component:
    rows = retention_periods(idle_timeout=get_settings().idle_timeout)
    return bullets(*[rx.fragment(rx.el.strong(row.data), f" : {row.kept} ({row.by}).") for row in rows])


def personal_data_page() -> rx.Component:
    return page_shell(
        prose_page(
            PERSONAL_DATA,
            section(
                "Responsable du traitement",
                f"La {CNAM}, {CNAM_ADDRESS}, et votre caisse primaire d'assurance maladie (CPAM) pour "
                "le traitement de votre demande.",
            ),
            section(
                "Finalités",
                bullets(
                    "vous permettre de choisir la complémentaire santé qui reçoit vos remboursements "
                    "quand deux contrats se chevauchent, et transmettre ce choix ;",
                    "traiter votre demande dans Medialog+ (par votre caisse, ou la CPAM des "
                    "Alpes-de-Haute-Provence pour les cas complexes) et vous informer de son traitement ;",
                    "vous montrer vos paiements, vos informations, vos notifications et vos messages ;",
                    "protéger votre compte : sessions, limitation des essais de connexion, journal de sécurité ;",
                    "mesurer la satisfaction, si vous répondez à la question posée après votre choix.",
                ),
            ),
            section(
                "Base légale",
                "Ces traitements sont nécessaires à l'exécution de la mission d'intérêt public de "
                "l'Assurance Maladie (article 6.1.e du règlement général sur la protection des données, "
                "RGPD ; code de la sécurité sociale). Les données de santé (paiements de soins) sont "
                "traitées pour la gestion des systèmes de protection sociale (article 9.2.h du RGPD).",
            ),
            section(
                "Données traitées",
                bullets(
                    "identification : numéro de sécurité sociale, nom, prénom, date de naissance, "
                    "et ceux de vos ayants droit ;",
                    "contrats de complémentaire santé : organisme, numéro d'adhérent, date de début ;",
                    "paiements de soins et leurs relevés ;",
                    "votre choix, votre demande et son traitement, votre réponse de satisfaction ;",
                    "données de connexion : empreinte de votre code (jamais le code lui-même), dates de "
                    "connexion, adresse IP en cas d'échec ou d'incident de sécurité.",
                ),
            ),
            section(
                "Destinataires",
                "Les agents habilités de votre caisse (et de la CPAM des Alpes-de-Haute-Provence pour les "
                "cas complexes) ; la complémentaire santé que vous choisissez reçoit vos remboursements. "
                "Aucune donnée n'est vendue ni utilisée à des fins commerciales.",
            ),
            section("Durée de conservation", _retention_list()),
            section(
                "Cookies",
                "Le service n'utilise qu'un cookie de session, nécessaire à la connexion (HttpOnly, "
                "supprimé à la déconnexion) : aucun cookie de mesure d'audience ni publicitaire. Il ne "
                "demande donc pas votre consentement.",
            ),
            section(
                "Vos droits",
                "Vous disposez d'un droit d'accès, de rectification, de limitation et d'opposition "
                "sur vos données (articles 15 à 21 du RGPD). Pour les exercer :",
                bullets(
                    "dans votre compte ameli, rubrique « Messages » ;",
                    "par courrier à votre caisse d'Assurance Maladie, en joignant un justificatif d'identité.",
                ),
                "Une réponse vous est apportée dans un délai d'un mois.",
            ),
            section(
                "Délégué à la protection des données",
                f"Délégué à la protection des données de la Cnam, {CNAM_ADDRESS}. Chaque caisse a aussi "
                "son délégué, joignable à l'adresse de la caisse.",
                rx.text(
                    "Si vous estimez, après nous avoir contactés, que vos droits ne sont pas respectés, vous "
                    "pouvez adresser une réclamation à la Commission nationale de l'informatique et des "
                    "libertés (CNIL) : ",
                    text_link("déposer une plainte auprès de la CNIL", CNIL_COMPLAINT),
                    ".",
                ),
            ),
        )
    )


# The site map: every page a visitor can open, public first.
SITE_MAP_SECTIONS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "Connexion et aide",
        (
            ("J'accède à mon compte ameli", routes.LOGIN),
            ("Où trouver mon numéro de sécurité sociale ?", routes.HELP_NIR),
            ("Code oublié ?", routes.HELP_CODE),
            ("Qu'est-ce que FranceConnect ?", routes.HELP_FRANCECONNECT),
        ),
    ),
    (
        "Mon compte (après connexion)",
        (
            ("Tableau de bord", routes.DASHBOARD),
            ("Frais de santé : vos paiements", routes.PAYMENTS),
            ("Démarches", routes.PROCEDURES),
            ("Choisir votre complémentaire santé", routes.SELECTION),
            ("Aide : choisir votre complémentaire", routes.SELECTION_HELP),
            ("Attestation de droits", routes.RIGHTS_ATTESTATION),
            ("Attestation de paiement d'indemnités journalières", routes.DAILY_ALLOWANCE_ATTESTATION),
            ("Déclarer la perte ou le vol d'une carte européenne d'assurance maladie", routes.EHIC_LOSS),
            ("Commander une carte européenne d'assurance maladie", routes.EHIC_ORDER),
            ("Délais de traitement de votre caisse", routes.PROCESSING_DELAYS),
            ("Vos documents", routes.DOCUMENTS),
            ("Vos informations", routes.INFORMATION),
            ("Notifications", routes.NOTIFICATIONS),
            ("Messages", routes.MESSAGES),
        ),
    ),
    (
        "Informations sur le service",
        (
            ("Déclaration d'accessibilité", routes.ACCESSIBILITY),
            (LEGAL_NOTICE, routes.LEGAL_NOTICE),
            (TERMS, routes.TERMS_OF_USE),
            (PERSONAL_DATA, routes.PERSONAL_DATA),
        ),
    ),
    ("Espace agents Medialog+", (("Connexion des agents", routes.ADMIN_LOGIN),)),
)


def site_map_page() -> rx.Component:
    return page_shell(
        prose_page(
            SITE_MAP,
            *[
                section(title, bullets(*[text_link(text, href) for text, href in links]))
                for title, links in SITE_MAP_SECTIONS
            ],
        )
    )
