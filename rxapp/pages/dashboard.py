"""The insured's dashboard (tableau de bord)."""

from __future__ import annotations

import reflex as rx

from rxapp import routes
from rxapp.components.layout import loading_status, page_shell
from rxapp.components.notice import unavailable_alert
from rxapp.components.overlap import conflict_dialog, overlap_banner, overlap_notice
from rxapp.pages.procedures import QUICK_PROCEDURES
from rxapp.state.dashboard import DashboardState, InboxRow, PaymentRow
from rxapp.theme import (
    BARE_LIST,
    BORDER,
    BOX_PADDING,
    BUTTON_RADIUS,
    DIVIDER,
    RADIUS,
    SUCCESS_BACKGROUND,
    SUCCESS_BORDER,
    TEXT_SECONDARY,
)


def card(title: rx.Component | str, *children: rx.Component, label: str) -> rx.Component:
    heading = rx.heading(title, as_="h2", size="4") if isinstance(title, str) else title
    return rx.el.section(
        heading,
        *children,
        aria_label=label,
        border=BORDER,
        border_radius=RADIUS,
        padding="16px",
        background="white",
        display="flex",
        flex_direction="column",
        gap="8px",
        min_width="0",
    )


def _payment(row: PaymentRow) -> rx.Component:
    return rx.el.li(
        rx.flex(
            rx.text(row.paid_on, weight="bold"),
            rx.text(row.amount, weight="bold"),
            justify="between",
            gap="8px",
        ),
        rx.text(row.label, " — ", row.beneficiary, size="2"),
        rx.cond(
            row.transmitted, rx.fragment(), rx.badge("Non transmis", color_scheme="amber", variant="outline")
        ),
        padding_y="6px",
        border_bottom=DIVIDER,
    )


def _inbox(row: InboxRow) -> rx.Component:
    return rx.el.li(
        rx.text(row.short_day, size="2", color=TEXT_SECONDARY),
        rx.text(row.title, weight="bold"),
        rx.text(row.body, size="2"),
        padding_y="6px",
    )


def _list(items, render) -> rx.Component:
    return rx.el.ul(rx.foreach(items, render), **BARE_LIST)


def _inbox_card(
    unread: rx.Var[int], words: tuple[str, str], items, link: tuple[str, str], *, label: str
) -> rx.Component:
    """The unread count (`words`: singular, plural), the last items, a link to the whole list."""
    singular, plural = words
    text, href = link
    return card(
        rx.heading(unread, rx.cond(unread > 1, plural, singular), as_="h2", size="4"),
        _list(items, _inbox),
        rx.link(text, href=href),
        label=label,
    )


def dashboard_blocks() -> rx.Component:
    return rx.grid(
        card(
            "Vos derniers paiements",
            rx.cond(
                DashboardState.payments.length() > 0,
                _list(DashboardState.payments, _payment),
                rx.text("Vos nouveaux paiements s'afficheront ici."),
            ),
            rx.link("Voir tous vos paiements", href=routes.PAYMENTS),
            label="Vos derniers paiements",
        ),
        card(
            "Vos démarches en 2 clics",
            rx.el.ul(
                *[
                    rx.el.li(rx.link(procedure.name, href=procedure.route), padding_y="4px")
                    for procedure in QUICK_PROCEDURES
                ],
                padding_left="18px",
                margin="0",
            ),
            label="Vos démarches en 2 clics",
        ),
        card(
            "Vos informations",
            rx.link("Profil", href=routes.INFORMATION),
            rx.cond(
                DashboardState.last_connection,
                rx.text("Dernière connexion : ", DashboardState.last_connection),
            ),
            label="Vos informations",
        ),
        card(
            "Vos rendez-vous",
            rx.text("Aucun rendez-vous à venir"),
            rx.text("Pour échanger avec un conseiller par téléphone ou en point d'accueil", size="2"),
            rx.link("Prendre un rendez-vous", href=routes.PROCEDURES),
            label="Vos rendez-vous",
        ),
        _inbox_card(
            DashboardState.unread_notifications,
            (" Notification", " Notifications"),
            DashboardState.notifications,
            ("Voir vos notifications", routes.NOTIFICATIONS),
            label="Notifications",
        ),
        _inbox_card(
            DashboardState.unread_messages,
            (" Nouveau message", " Nouveaux messages"),
            DashboardState.messages,
            ("Voir vos messages", routes.MESSAGES),
            label="Messages",
        ),
        columns=rx.breakpoints(initial="1", sm="2", lg="3"),
        gap="16px",
        width="100%",
    )


def processed_notice() -> rx.Component:
    """The "notification courte" once the request has been processed, first thing under the greeting."""
    return rx.cond(
        DashboardState.processed_notice,
        rx.flex(
            rx.text(DashboardState.processed_notice, weight="bold"),
            rx.link("Voir la notification", href=routes.NOTIFICATIONS),
            role="status",
            direction="column",
            gap="4px",
            padding=BOX_PADDING,
            border_left=f"4px solid {SUCCESS_BORDER}",
            background=SUCCESS_BACKGROUND,
            border_radius=BUTTON_RADIUS,
            width="100%",
        ),
    )


def dashboard_page() -> rx.Component:
    return page_shell(
        unavailable_alert(DashboardState.unavailable),
        rx.cond(
            DashboardState.display_name,
            rx.vstack(
                rx.heading("Bonjour ", DashboardState.display_name, as_="h1", size="7"),
                processed_notice(),
                overlap_notice(),
                overlap_banner(),
                dashboard_blocks(),
                conflict_dialog(),
                spacing="3",
                width="100%",
            ),
            rx.cond(
                ~DashboardState.unavailable,
                loading_status("Chargement de votre compte…"),
            ),
        ),
        signed_in=True,
        current=routes.DASHBOARD,
    )
