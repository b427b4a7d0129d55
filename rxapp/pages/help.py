"""Short help pages linked from the login form."""

from __future__ import annotations

import reflex as rx

from rxapp import routes
from rxapp.components.layout import page_shell

HELP_PAGES = {
    routes.HELP_NIR: (
        "Où trouver mon numéro de sécurité sociale ?",
        [
            "Votre numéro de sécurité sociale figure sur votre carte Vitale, "
            "sur votre attestation de droits et sur vos relevés de remboursements.",
            "Il comporte 13 chiffres, suivis d'une clé de 2 chiffres. "
            "Pour vous connecter, saisissez les 13 chiffres ; la clé est facultative.",
        ],
    ),
    routes.HELP_CODE: (
        "Code oublié ?",
        [
            "Vous pouvez demander un nouveau code provisoire : il vous sera envoyé "
            "par courrier à l'adresse connue de votre caisse d'Assurance Maladie.",
            "Vous pouvez aussi appeler le 3646 (service gratuit + prix d'un appel).",
        ],
    ),
    routes.HELP_FRANCECONNECT: (
        "Qu'est-ce que FranceConnect ?",
        [
            "FranceConnect est la solution proposée par l'État pour vous connecter "
            "aux services en ligne avec un compte que vous possédez déjà "
            "(impots.gouv.fr, La Poste, MSA…).",
        ],
    ),
}


def help_page(route: str) -> rx.Component:
    title, paragraphs = HELP_PAGES[route]
    return page_shell(
        rx.vstack(
            rx.heading(title, as_="h1", size="7"),
            *[rx.text(paragraph) for paragraph in paragraphs],
            rx.link("Retourner à la connexion", href=routes.LOGIN),
            spacing="4",
            max_width="720px",
        )
    )
