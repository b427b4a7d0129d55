"""The NOEMIE flow simulation page."""

from __future__ import annotations

import reflex as rx

from rxapp import routes
from rxapp.components.admin import agent_shell, error_alert, success_status
from rxapp.components.forms import text_field
from rxapp.pages.admin.shared import BUTTON, heading
from rxapp.state.admin import AdminSimulationState
from rxapp.theme import BRAND_BLUE

SIMULATION_INTRO = (
    "Ajoute un contrat d'organisme complémentaire à un bénéficiaire de votre CPAM, comme le ferait "
    "un flux NOEMIE. Si ce bénéficiaire a déjà un contrat en cours, un chevauchement apparaît."
)


def admin_simulation_page() -> rx.Component:
    """The "Simuler un flux NOEMIE" form."""
    return agent_shell(
        rx.vstack(
            heading("Simulation"),
            heading("Simuler un flux NOEMIE", 2),
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
