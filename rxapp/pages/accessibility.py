"""The "Déclaration d'accessibilité", in the form the law sets, generated from the audit grid.

Everything it states about conformance (status, rate, non-conformities, pages, method, tools)
is read from rxapp/services/accessibility/rgaa_4_1.toml by the grid service.
"""

from __future__ import annotations

import reflex as rx

from rxapp import routes
from rxapp.components.layout import page_shell
from rxapp.components.prose import bullets, prose_page, section, text_link
from rxapp.services.accessibility.grid import Audit, CriterionStatus, load_audit
from rxapp.services.formatting import format_day, format_rate

TITLE = "Déclaration d'accessibilité"
SERVICE = "compte ameli : choix de la complémentaire santé, et espace agents Medialog+"
TOPICS = (
    "Images",
    "Cadres",
    "Couleurs",
    "Multimédia",
    "Tableaux",
    "Liens",
    "Scripts",
    "Éléments obligatoires",
    "Structuration de l'information",
    "Présentation de l'information",
    "Formulaires",
    "Navigation",
    "Consultation",
)
DEFENSEUR_FORM = "https://formulaire.defenseurdesdroits.fr/"
DEFENSEUR_DELEGATES = "https://www.defenseurdesdroits.fr/saisir/delegues"


def _status_section(audit: Audit) -> rx.Component:
    return section(
        "État de conformité",
        f"Le {SERVICE} est {audit.compliance} avec le référentiel général d'amélioration de "
        "l'accessibilité (RGAA), version 4.1"
        + (", en raison des non-conformités énumérées ci-dessous." if audit.non_conformities() else "."),
    )


def _results_section(audit: Audit) -> rx.Component:
    counts = {status: audit.count(status) for status in CriterionStatus}
    return section(
        "Résultats des tests",
        f"L'audit de conformité réalisé le {format_day(audit.audited_on)} par l'{audit.auditor} révèle que "
        f"{format_rate(audit.rate)} des critères du RGAA version 4.1 sont respectés.",
        bullets(
            f"{counts[CriterionStatus.CONFORME]} critères conformes ;",
            f"{counts[CriterionStatus.NON_CONFORME]} critères non conformes ;",
            f"{counts[CriterionStatus.NON_APPLICABLE]} critères non applicables, sur 106.",
        ),
        "Le taux est le nombre de critères conformes divisé par le nombre de critères applicables.",
    )


def _non_accessible_section(audit: Audit) -> rx.Component:
    failures = audit.non_conformities()
    listed = [
        f"Critère {c.number} ({', '.join(audit.page_name(k) for k in c.pages_with(CriterionStatus.NON_CONFORME))}) : "
        f"{c.reason}"
        for c in failures
    ]
    return section(
        "Contenus non accessibles",
        section("Non-conformités", bullets(*listed) if listed else "Aucune.", level=3),
        section("Dérogations pour charge disproportionnée", "Aucune.", level=3),
        section("Contenus non soumis à l'obligation d'accessibilité", "Aucun.", level=3),
    )


def _audit_section(audit: Audit) -> rx.Component:
    return section(
        "Établissement de cette déclaration d'accessibilité",
        f"Cette déclaration a été établie le {format_day(audit.audited_on)}.",
        audit.method,
        section(
            "Technologies utilisées pour la réalisation du service", bullets(*audit.technologies), level=3
        ),
        section("Environnement de test", bullets(*audit.environments), level=3),
        section("Outils pour évaluer l'accessibilité", bullets(*audit.tools), level=3),
        section(
            "Pages du service ayant fait l'objet de la vérification de conformité",
            bullets(*[rx.fragment(page.name, " (", rx.el.code(page.address), ")") for page in audit.pages]),
            level=3,
        ),
    )


def _criteria_section(audit: Audit) -> rx.Component:
    """The grid itself, theme by theme: each criterion, its status and its evidence or reason."""

    def line(criterion) -> str:
        detail = (
            criterion.reason
            if criterion.status != CriterionStatus.CONFORME
            else (criterion.note or criterion.manual_check or "vérifié par les tests automatiques")
        )
        return f"{criterion.number} {criterion.title} — {criterion.status} : {detail}"

    return section(
        "Détail des 106 critères",
        *[
            section(
                f"{number}. {topic}",
                bullets(*[line(c) for c in audit.criteria if c.topic == number]),
                level=3,
            )
            for number, topic in enumerate(TOPICS, start=1)
        ],
    )


def _contact_section() -> rx.Component:
    return section(
        "Retour d'information et contact",
        "Si vous n'arrivez pas à accéder à un contenu ou à un service, vous pouvez nous le signaler "
        "pour être orienté vers une alternative accessible ou obtenir le contenu sous une autre forme :",
        bullets(
            "dans votre compte ameli, rubrique « Messages » ;",
            "par téléphone au 3646 (service gratuit + prix d'un appel), du lundi au vendredi ;",
            "par courrier à votre caisse d'Assurance Maladie, ou à la Caisse nationale de l'Assurance "
            "Maladie, 50 avenue du Professeur André Lemierre, 75986 Paris Cedex 20.",
        ),
    )


def _remedies_section() -> rx.Component:
    return section(
        "Voies de recours",
        "Si vous avez signalé un défaut d'accessibilité qui vous empêche d'accéder à un contenu ou à un "
        "service et que vous n'avez pas obtenu de réponse satisfaisante, vous pouvez saisir le "
        "Défenseur des droits :",
        bullets(
            rx.fragment(
                "écrire un message au Défenseur des droits : ",
                text_link("formulaire en ligne", DEFENSEUR_FORM),
            ),
            rx.fragment(
                "contacter le délégué du Défenseur des droits dans votre région : ",
                text_link("liste des délégués", DEFENSEUR_DELEGATES),
            ),
            "envoyer un courrier par la poste (gratuit, ne pas mettre de timbre) : "
            "Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07.",
        ),
    )


def accessibility_page() -> rx.Component:
    audit = load_audit()
    return page_shell(
        prose_page(
            TITLE,
            rx.text(
                "L'Assurance Maladie s'engage à rendre ses services en ligne accessibles, conformément à "
                "l'article 47 de la loi n° 2005-102 du 11 février 2005. Cette déclaration d'accessibilité "
                f"s'applique au {SERVICE}."
            ),
            _status_section(audit),
            _results_section(audit),
            _non_accessible_section(audit),
            _audit_section(audit),
            _contact_section(),
            _remedies_section(),
            _criteria_section(audit),
            rx.text("Voir aussi le ", text_link("plan du site", routes.SITE_MAP), "."),
        )
    )
