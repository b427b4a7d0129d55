"""The Reflex app: pages and routes."""

from __future__ import annotations

import reflex as rx

import rxapp.models  # noqa: F401 - every table registered before anything queries
from rxapp import routes
from rxapp.abuse import install_event_guard
from rxapp.pages.dashboard import dashboard_page
from rxapp.pages.help import HELP_PAGES, help_page
from rxapp.pages.information import documents_page, information_page, procedures_page
from rxapp.pages.login import login_page
from rxapp.pages.selection import confirmation_page, recap_page, selection_help_page, selection_page
from rxapp.services.audit import configure_security_log
from rxapp.settings import get_settings
from rxapp.state.dashboard import DashboardState
from rxapp.state.errors import backend_error
from rxapp.state.information import InformationState
from rxapp.state.selection import SelectionState

SITE = "Compte ameli"

configure_security_log(get_settings().security_log)
install_event_guard()  # the event budgets, in front of Reflex's socket.io namespace (issue 15)

app = rx.App(
    stylesheets=["/styles.css"],
    html_lang="fr",
    backend_exception_handler=backend_error,
)

app.add_page(login_page, route=routes.LOGIN, title=f"J'accède à mon compte ameli | {SITE}")
app.add_page(
    dashboard_page,
    route=routes.DASHBOARD,
    title=f"Tableau de bord | {SITE}",
    on_load=DashboardState.load,
)
app.add_page(
    information_page,
    route=routes.INFORMATION,
    title=f"Mes informations | {SITE}",
    on_load=InformationState.load,
)
app.add_page(procedures_page, route=routes.PROCEDURES, title=f"Démarches | {SITE}")
app.add_page(documents_page, route=routes.DOCUMENTS, title=f"Vos documents | {SITE}")
app.add_page(
    selection_page,
    route=routes.SELECTION,
    title=SelectionState.page_title,
    on_load=SelectionState.load_selection,
)
app.add_page(
    recap_page,
    route=routes.RECAP,
    title=f"Étape 2 sur 2, récapitulatif | {SITE}",
    on_load=SelectionState.load_recap,
)
app.add_page(
    confirmation_page,
    route=routes.CONFIRMATION,
    title=f"Votre choix a bien été transmis | {SITE}",
    on_load=SelectionState.load_confirmation,
)
app.add_page(
    selection_help_page, route=routes.SELECTION_HELP, title=f"Aide : choisir votre complémentaire | {SITE}"
)
for route, (heading, _) in HELP_PAGES.items():
    app.add_page(lambda route=route: help_page(route), route=route, title=f"{heading} | {SITE}")

# Frais de santé, notifications and messages, and the statement download route.
from rxapp.api import build_api  # noqa: E402
from rxapp.api.headers import security_headers  # noqa: E402
from rxapp.api.medialog import medialog_routes  # noqa: E402
from rxapp.api.statements import statement_routes  # noqa: E402
from rxapp.observability.setup import operations_routes  # noqa: E402
from rxapp.pages.inbox import messages_page, notifications_page  # noqa: E402
from rxapp.pages.payments import payments_page  # noqa: E402
from rxapp.state.inbox import MessagesState, NotificationsState  # noqa: E402
from rxapp.state.payments import PaymentsState  # noqa: E402

app.add_page(
    payments_page,
    route=routes.PAYMENTS,
    title=f"Vos paiements - Frais de santé | {SITE}",
    on_load=PaymentsState.load,
)
app.add_page(
    notifications_page,
    route=routes.NOTIFICATIONS,
    title=f"Notifications | {SITE}",
    on_load=NotificationsState.load,
)
app.add_page(messages_page, route=routes.MESSAGES, title=f"Messages | {SITE}", on_load=MessagesState.load)
# Read by App.__call__ when the backend starts, so setting it after construction works.
app.api_transformer = [build_api(statement_routes, medialog_routes, operations_routes()), security_headers]

# Medialog+, the agents' back office.
from rxapp.pages.admin import (  # noqa: E402
    admin_affaire_page,
    admin_login_page,
    admin_queue_page,
    admin_simulation_page,
    admin_supervision_page,
)
from rxapp.state.admin import (  # noqa: E402
    AdminAffaireState,
    AdminQueueState,
    AdminSimulationState,
    AdminSupervisionState,
)

ADMIN_SITE = "Medialog+"
app.add_page(admin_login_page, route=routes.ADMIN_LOGIN, title=f"Espace agents | {ADMIN_SITE}")
app.add_page(
    admin_queue_page,
    route=routes.ADMIN_QUEUE,
    title=f"File des affaires | {ADMIN_SITE}",
    on_load=AdminQueueState.load,
)
app.add_page(
    admin_affaire_page,
    route=routes.ADMIN_AFFAIRE,
    title=AdminAffaireState.page_title,
    on_load=AdminAffaireState.load,
)
app.add_page(
    admin_supervision_page,
    route=routes.ADMIN_SUPERVISION,
    title=f"Supervision | {ADMIN_SITE}",
    on_load=AdminSupervisionState.load,
)
app.add_page(
    admin_simulation_page,
    route=routes.ADMIN_SIMULATION,
    title=f"Simulation | {ADMIN_SITE}",
    on_load=AdminSimulationState.load,
)


# Each backend worker opens its database connections (and imports the driver and the Celery
# client) as it starts, not inside the first events it serves (bench/OPTIMISATIONS.md).
WARM_CONNECTIONS = 4


def _warm_up() -> None:
    import backoffice_worker.celery_app  # noqa: F401 - imported by the first "Confirmer" otherwise
    from rxapp.db import get_engine

    engine = get_engine()
    connections = []
    try:
        for _ in range(WARM_CONNECTIONS):
            connections.append(engine.connect())
    finally:
        for connection in connections:
            connection.close()  # back to the pool, still open


async def warm_up() -> None:
    """Lifespan task: get the worker ready before its first event; a failure only logs."""
    import asyncio
    import logging

    from sqlalchemy.exc import SQLAlchemyError

    try:
        await asyncio.to_thread(_warm_up)
    except SQLAlchemyError as error:
        logging.getLogger(__name__).warning("Database warm-up failed: %s", type(error).__name__)


app.register_lifespan_task(warm_up)
