"""The Reflex app: its pages, registered from one table, and its HTTP routes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import reflex as rx
from reflex.constants import Page404
from reflex.event import EventHandler

import rxapp.models  # noqa: F401 - every table registered before anything queries
from rxapp import routes
from rxapp.abuse import install_event_guard
from rxapp.abuse.transport import flood_guard
from rxapp.api import build_api
from rxapp.api.attestation import attestation_routes
from rxapp.api.franceconnect import franceconnect_routes
from rxapp.api.headers import security_headers
from rxapp.api.medialog import medialog_routes
from rxapp.api.session import session_routes
from rxapp.api.statements import statement_routes
from rxapp.components.app_wraps import french_app_wraps
from rxapp.components.layout import AGENT_SITE, INSURED_SITE
from rxapp.features import demo_features_enabled
from rxapp.live_updates import live_notifications
from rxapp.observability.setup import operations_routes
from rxapp.pages import not_found
from rxapp.pages.accessibility import accessibility_page
from rxapp.pages.accessible_documents import (
    ATTESTATION_PAGE_TITLE,
    STATEMENT_PAGE_TITLE,
    attestation_page,
    statement_page,
)
from rxapp.pages.admin import (
    admin_affaire_page,
    admin_login_page,
    admin_queue_page,
    admin_simulation_page,
    admin_supervision_page,
    affaire_title,
)
from rxapp.pages.dashboard import dashboard_page
from rxapp.pages.delays import delays_page
from rxapp.pages.help import HELP_PAGES, help_page
from rxapp.pages.inbox import messages_page, notifications_page
from rxapp.pages.information import documents_page, information_page, procedures_page
from rxapp.pages.legal import (
    LEGAL_NOTICE,
    PERSONAL_DATA,
    SITE_MAP,
    TERMS,
    legal_notice_page,
    personal_data_page,
    site_map_page,
    terms_page,
)
from rxapp.pages.login import login_page
from rxapp.pages.payments import payments_page
from rxapp.pages.procedures import (
    RIGHTS_ATTESTATION,
    TEXT_PROCEDURES,
    rights_attestation_page,
    text_procedure_page,
)
from rxapp.pages.selection import confirmation_page, recap_page, selection_help_page, selection_page
from rxapp.pwa import head_components
from rxapp.services.audit import configure_security_log
from rxapp.settings import get_settings
from rxapp.state.admin import AdminAffaireState, AdminQueueState, AdminSimulationState, AdminSupervisionState
from rxapp.state.dashboard import DashboardState
from rxapp.state.delays import DelaysState
from rxapp.state.documents import AttestationState, StatementState
from rxapp.state.errors import backend_error
from rxapp.state.inbox import MessagesState, NotificationsState
from rxapp.state.information import InformationState
from rxapp.state.payments import PaymentsState
from rxapp.state.selection import SelectionState
from rxapp.state_lock import install as install_state_lock_fix


@dataclass(frozen=True)
class Page:
    """One page: its route, what renders it, its <title> (text or a state var), its on_load, and
    its meta description where Reflex would otherwise write an English one."""

    route: str
    component: Callable[[], rx.Component]
    title: str | rx.Var
    on_load: EventHandler | None = None
    description: str | None = None


def _help(route: str) -> Callable[[], rx.Component]:
    return lambda: help_page(route)


def _text_procedure(route: str) -> Callable[[], rx.Component]:
    return lambda: text_procedure_page(route)


INSURED_PAGES = (
    Page(routes.LOGIN, login_page, f"J'accède à mon compte ameli | {INSURED_SITE}"),
    Page(routes.DASHBOARD, dashboard_page, f"Tableau de bord | {INSURED_SITE}", DashboardState.load),
    Page(routes.INFORMATION, information_page, f"Mes informations | {INSURED_SITE}", InformationState.load),
    Page(routes.PROCEDURES, procedures_page, f"Démarches | {INSURED_SITE}"),
    Page(routes.DOCUMENTS, documents_page, f"Vos documents | {INSURED_SITE}"),
    Page(routes.SELECTION, selection_page, SelectionState.page_title, SelectionState.load_selection),
    Page(
        routes.RECAP, recap_page, f"Étape 2 sur 2, récapitulatif | {INSURED_SITE}", SelectionState.load_recap
    ),
    Page(
        routes.CONFIRMATION,
        confirmation_page,
        f"Votre choix a bien été transmis | {INSURED_SITE}",
        SelectionState.load_confirmation,
    ),
    Page(routes.SELECTION_HELP, selection_help_page, f"Aide : choisir votre complémentaire | {INSURED_SITE}"),
    *(Page(route, _help(route), f"{heading} | {INSURED_SITE}") for route, (heading, _) in HELP_PAGES.items()),
    Page(
        routes.PAYMENTS, payments_page, f"Vos paiements - Frais de santé | {INSURED_SITE}", PaymentsState.load
    ),
    Page(
        routes.STATEMENT_PAGE, statement_page, f"{STATEMENT_PAGE_TITLE} | {INSURED_SITE}", StatementState.load
    ),
    Page(
        routes.NOTIFICATIONS, notifications_page, f"Notifications | {INSURED_SITE}", NotificationsState.load
    ),
    Page(routes.MESSAGES, messages_page, f"Messages | {INSURED_SITE}", MessagesState.load),
    # "Vos démarches en 2 clics".
    Page(routes.RIGHTS_ATTESTATION, rights_attestation_page, f"{RIGHTS_ATTESTATION.name} | {INSURED_SITE}"),
    Page(
        routes.ATTESTATION_PAGE,
        attestation_page,
        f"{ATTESTATION_PAGE_TITLE} | {INSURED_SITE}",
        AttestationState.load,
    ),
    *(
        Page(procedure.route, _text_procedure(procedure.route), f"{procedure.name} | {INSURED_SITE}")
        for procedure in TEXT_PROCEDURES
    ),
    Page(
        routes.PROCESSING_DELAYS,
        delays_page,
        f"Délais de traitement de votre caisse | {INSURED_SITE}",
        DelaysState.load,
    ),
)
# The accessibility statement and the legal pages: public, linked from every page's footer.
LEGAL_PAGES = (
    Page(routes.ACCESSIBILITY, accessibility_page, f"Déclaration d'accessibilité | {INSURED_SITE}"),
    Page(routes.LEGAL_NOTICE, legal_notice_page, f"{LEGAL_NOTICE} | {INSURED_SITE}"),
    Page(routes.TERMS_OF_USE, terms_page, f"{TERMS} | {INSURED_SITE}"),
    Page(routes.PERSONAL_DATA, personal_data_page, f"{PERSONAL_DATA} | {INSURED_SITE}"),
    Page(routes.SITE_MAP, site_map_page, f"{SITE_MAP} | {INSURED_SITE}"),
)
AGENT_PAGES = (
    Page(routes.ADMIN_LOGIN, admin_login_page, f"Espace agents | {AGENT_SITE}"),
    Page(routes.ADMIN_QUEUE, admin_queue_page, f"File des affaires | {AGENT_SITE}", AdminQueueState.load),
    Page(routes.ADMIN_AFFAIRE, admin_affaire_page, affaire_title(), AdminAffaireState.load),
    Page(
        routes.ADMIN_SUPERVISION,
        admin_supervision_page,
        f"Supervision | {AGENT_SITE}",
        AdminSupervisionState.load,
    ),
)
# Demo only: in production the simulation route is not registered, so it answers 404.
DEMO_PAGES = (
    Page(
        routes.ADMIN_SIMULATION,
        admin_simulation_page,
        f"Simulation | {AGENT_SITE}",
        AdminSimulationState.load,
    ),
)

# Reflex serves its "404" page at every unknown address.
NOT_FOUND = Page(
    Page404.SLUG,
    not_found.not_found_page,
    f"{not_found.TITLE} | {INSURED_SITE}",
    description=not_found.DESCRIPTION,
)

configure_security_log(get_settings().security_log)
install_event_guard()  # the event budgets, in front of Reflex's socket.io namespace (issue 15)
install_state_lock_fix()  # a cancelled event no longer leaves its tab's state locked for 20 s

app = rx.App(
    stylesheets=["/styles.css"],
    html_lang="fr",
    # The installable app: manifest, theme colour, apple-touch-icon, service worker registration.
    head_components=head_components(),
    backend_exception_handler=backend_error,
    # Frais de santé's statement and the attestation de droits downloads, the Medialog+ API, the session
    # cookie routes, the FranceConnect login, health and metrics, with the security headers on every
    # response; read by App.__call__ when the backend starts.
    api_transformer=[
        build_api(
            statement_routes,
            attestation_routes,
            medialog_routes,
            session_routes,
            franceconnect_routes,
            operations_routes(),
        ),
        security_headers,
        # Outermost: a flood of websocket frames is dropped before engine.io reads it (issue 15).
        flood_guard,
    ],
)
# French connection banner and error boundary in place of Reflex's English ones.
app.app_wraps.update(french_app_wraps())
demo_pages = DEMO_PAGES if demo_features_enabled(get_settings()) else ()
for page in (*INSURED_PAGES, *LEGAL_PAGES, *AGENT_PAGES, *demo_pages, NOT_FOUND):
    app.add_page(
        page.component, route=page.route, title=page.title, on_load=page.on_load, description=page.description
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
# New notifications reach the open dashboards by push (rxapp/live_updates.py).
app.register_lifespan_task(live_notifications, handler=DashboardState.refresh_notifications)
