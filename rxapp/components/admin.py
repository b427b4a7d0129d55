"""The Medialog+ shell (agent header and navigation) and small back-office pieces."""

from __future__ import annotations

import reflex as rx

from rxapp import routes
from rxapp.components.layout import shell, site_nav
from rxapp.components.notice import callout
from rxapp.components.session_expiry import session_expiry_notice
from rxapp.state.auth import AgentAuthState
from rxapp.state.session_expiry import AgentExpiryState
from rxapp.theme import BORDER, BRAND_BLUE, HEADER_BAR, TEXT

AGENT_NAV = (
    ("File des affaires", routes.ADMIN_QUEUE),
    ("Supervision", routes.ADMIN_SUPERVISION),
    ("Simulation", routes.ADMIN_SIMULATION),
)


def agent_header(*, signed_in: bool) -> rx.Component:
    """The brand, and for a signed-in agent their name, CPAM and the logout button."""
    agent = rx.flex(
        # The line is there before the name arrives from the on_load: on a phone it has a row of
        # its own either way, so the header keeps its height (no layout shift).
        rx.text(
            rx.cond(
                AgentAuthState.agent_name,
                rx.fragment(
                    rx.el.strong(AgentAuthState.agent_name),
                    rx.el.span(" - ", AgentAuthState.agent_cpam),
                ),
            ),
            color=TEXT,
            min_height="1.5em",
            width=rx.breakpoints(initial="100%", sm="auto"),
        ),
        rx.button(
            "Se déconnecter",
            variant="outline",
            on_click=AgentAuthState.logout_agent,
            min_height="44px",
        ),
        gap="12px",
        align="center",
        wrap="wrap",
    )
    return rx.el.header(
        rx.flex(
            rx.hstack(
                rx.el.span("Medialog+", font_weight="700", color=BRAND_BLUE),
                rx.el.span("Espace agents des CPAM", color=TEXT),
                spacing="3",
                align="center",
                wrap="wrap",
            ),
            agent if signed_in else rx.fragment(),
            justify="between",
            align="center",
            wrap="wrap",
            gap="12px",
            **HEADER_BAR,
        ),
        border_bottom=BORDER,
        background="white",
    )


def agent_nav(current: str | None) -> rx.Component:
    """ "Navigation Medialog+": the queue, the supervision, the simulation."""
    return site_nav(AGENT_NAV, current, "Navigation Medialog+")


def agent_shell(*children: rx.Component, signed_in: bool = True, current: str | None = None) -> rx.Component:
    """A back-office page: skip link, agent header, navigation when signed in, main, footer.

    Args:
        children: the page's content, inside <main>.
        signed_in: every page but the login shows the agent and the navigation.
        current: the route of the navigation item to mark as the current page.
    """
    return shell(
        agent_header(signed_in=signed_in),
        agent_nav(current) if signed_in else rx.fragment(),
        *children,
        load=AgentAuthState.page_load,
        kind="agent",
        notice=session_expiry_notice(AgentExpiryState, routes.ADMIN_LOGIN) if signed_in else None,
    )


def error_alert(message) -> rx.Component:
    """An error message announced at once (role="alert"), shown only when set."""
    return rx.cond(
        message,
        callout(message, icon="triangle_alert", color_scheme="red", role="alert", width="100%"),
    )


def success_status(message) -> rx.Component:
    """A success message announced politely (role="status"), shown only when set."""
    return rx.cond(
        message,
        callout(message, icon="circle_check", color_scheme="green", role="status", width="100%"),
    )


def scroll_table(label: str, *children: rx.Component) -> rx.Component:
    """A table in a focusable region that scrolls sideways, so the page itself never does."""
    return rx.box(
        rx.el.table(*children, class_name="admin-table"),
        role="region",
        aria_label=label,
        tab_index=0,
        class_name="admin-table-region",
        width="100%",
    )
