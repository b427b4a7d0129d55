"""The session expiry warning on every signed-in page (RGAA 13.1, 7.5).

The warning and the expiry appear as alerts (role=alert: screen readers announce an alert as
it is added, and no empty alert sits in the page); what "Prolonger" did goes to a polite live
region (role=status) that is always in the page, empty until then.
"""

from __future__ import annotations

import reflex as rx

from rxapp.services.privacy import duration
from rxapp.state.session_expiry import AgentExpiryState, InsuredExpiryState, warning_lead
from rxapp.theme import BRAND_BLUE, BRAND_BLUE_TINT, BUTTON, CONTENT_WIDTH, RADIUS, WARNING_TEXT


def session_expiry_notice(
    state: type[InsuredExpiryState] | type[AgentExpiryState], login_route: str
) -> rx.Component:
    """The warning, "Prolonger", the expiry message, and the announcement of an extension."""
    warning = (
        f"Sans action de votre part, votre session se fermera dans moins de {duration(warning_lead())}, "
        "pour protéger vos données."
    )
    return rx.box(
        rx.cond(state.expiry_warning, rx.text(warning, role="alert", weight="bold", color=WARNING_TEXT)),
        rx.cond(
            state.session_expired,
            rx.text("Votre session a expiré : reconnectez-vous pour continuer.", role="alert", weight="bold"),
        ),
        rx.cond(
            state.expiry_warning,
            rx.button("Prolonger", on_click=state.extend_session, background=BRAND_BLUE, **BUTTON),
        ),
        rx.cond(state.session_expired, rx.link("Me reconnecter", href=login_route, color=BRAND_BLUE)),
        rx.el.div(state.expiry_announcement, role="status"),
        on_mount=state.watch_expiry,
        display="flex",
        flex_wrap="wrap",
        align_items="center",
        gap="12px",
        max_width=CONTENT_WIDTH,
        margin_x="auto",
        padding=rx.cond(state.expiry_warning | state.session_expired, "12px 16px", "0 16px"),
        background=rx.cond(state.expiry_warning | state.session_expired, BRAND_BLUE_TINT, "transparent"),
        border_radius=RADIUS,
    )
