"""The shells shared by the pages: header, navigation, footer."""

from __future__ import annotations

import reflex as rx

from rxapp import routes
from rxapp.components.navigation import page_load
from rxapp.components.session_expiry import session_expiry_notice
from rxapp.services.accessibility.grid import load_audit
from rxapp.state.auth import AuthState
from rxapp.state.session_expiry import InsuredExpiryState
from rxapp.theme import (
    BORDER,
    BRAND_BLUE,
    BUTTON_RADIUS,
    CONTENT_COLUMN,
    CONTENT_WIDTH,
    HEADER_BAR,
    SURFACE_MUTED,
    TEXT,
    TEXT_SECONDARY,
    TOUCH_TARGET,
)

# The two sites' names, as their headers and <title>s write them.
INSURED_SITE = "Compte ameli"
AGENT_SITE = "Medialog+"

NAV_ITEMS = (
    ("Accueil", routes.DASHBOARD),
    ("Frais de santé", routes.PAYMENTS),
    ("Démarches", routes.PROCEDURES),
    ("Vos documents", routes.DOCUMENTS),
    ("Vos informations", routes.INFORMATION),
)


def skip_link() -> rx.Component:
    """ "Aller au contenu": a plain fragment link, followed by the browser itself, which moves the
    focus to <main> (tabindex -1), as RGAA 12.7 asks. rx.el.a is React Router's Link: it would only
    change the URL, or (reload_document) resolve "#contenu" against the path without the query
    and load another page."""
    return rx.html('<a class="skip-link" href="#contenu">Aller au contenu</a>')


def brand() -> rx.Component:
    return rx.hstack(
        rx.el.span("l'Assurance Maladie", font_weight="700", color=BRAND_BLUE),
        rx.el.span(INSURED_SITE, color=TEXT),
        spacing="3",
        align="center",
        wrap="wrap",
    )


def header(*, signed_in: bool) -> rx.Component:
    return rx.el.header(
        rx.hstack(
            brand(),
            rx.spacer(),
            rx.button(
                "Se déconnecter",
                variant="outline",
                on_click=AuthState.logout,
                min_height=TOUCH_TARGET,
            )
            if signed_in
            else rx.fragment(),
            align="center",
            **HEADER_BAR,
        ),
        border_bottom=BORDER,
        background="white",
    )


def site_nav(items: tuple[tuple[str, str], ...], current: str | None, label: str) -> rx.Component:
    """A navigation bar; the current page's link is marked with aria-current."""
    return rx.el.nav(
        rx.el.ul(
            *[
                rx.el.li(
                    rx.link(
                        text,
                        href=href,
                        padding="12px",
                        display="inline-block",
                        min_height=TOUCH_TARGET,
                        aria_current="page" if href == current else None,
                        font_weight="700" if href == current else "400",
                        text_decoration="underline" if href == current else "none",
                        color=BRAND_BLUE,
                        _hover={"color": BRAND_BLUE, "text_decoration": "underline"},
                    )
                )
                for text, href in items
            ],
            display="flex",
            flex_wrap="wrap",
            gap="4px",
            list_style="none",
            margin="0",
            padding="0 8px",
            **CONTENT_COLUMN,
        ),
        aria_label=label,
        background=SURFACE_MUTED,
    )


def insured_nav(current: str | None) -> rx.Component:
    return site_nav(NAV_ITEMS, current, "Navigation principale")


def footer_links() -> tuple[tuple[str, str], ...]:
    """The footer's links, the same on every page; the accessibility one states the audit's result."""
    return (
        (f"Accessibilité : {load_audit().compliance}", routes.ACCESSIBILITY),
        ("Mentions légales", routes.LEGAL_NOTICE),
        ("Conditions générales d'utilisation", routes.TERMS_OF_USE),
        ("Données personnelles", routes.PERSONAL_DATA),
        ("Plan du site", routes.SITE_MAP),
        ("Site ameli", "https://www.ameli.fr"),
    )


def footer() -> rx.Component:
    return rx.el.footer(
        rx.el.ul(
            *[
                rx.el.li(
                    rx.link(
                        text,
                        href=href,
                        color=TEXT_SECONDARY,
                        text_decoration="underline",
                        display="inline-block",
                        padding_y="10px",
                    )
                )
                for text, href in footer_links()
            ],
            display="flex",
            flex_wrap="wrap",
            column_gap="24px",
            list_style="none",
            max_width=CONTENT_WIDTH,
            margin_x="auto",
            padding="8px 16px",
            font_size="14px",
        ),
        border_top=BORDER,
        margin_top="48px",
    )


def shell(
    top: rx.Component,
    nav: rx.Component,
    *children: rx.Component,
    load: rx.Var[str],
    kind: str,
    notice: rx.Component | None = None,
) -> rx.Component:
    """The frame every page shares: skip link, `notice`, `top` (header), `nav`, main, footer.

    `load` is the `page_load` var of the `kind` ("insured" or "agent") of page: a URL set
    there is loaded as a whole page. `notice` is the session expiry warning of signed-in pages:
    first after the skip link, so that "Prolonger" is the first thing the Tab key reaches.
    """
    return rx.box(
        page_load(load, kind=kind),
        skip_link(),
        notice if notice is not None else rx.fragment(),
        top,
        nav,
        rx.el.main(
            *children,
            id="contenu",
            tab_index=-1,
            **CONTENT_COLUMN,
            padding="24px 16px",
            # The footer starts below the fold on every page: a page whose data arrives shorter
            # than the screen (the recap on a desktop) would otherwise pull it up into view, a
            # layout shift (CLS 0.186 measured).
            min_height="100vh",
        ),
        footer(),
        min_height="100vh",
        background="white",
    )


def page_shell(*children: rx.Component, signed_in: bool = False, current: str | None = None) -> rx.Component:
    """An insured page: the logout button and the navigation when signed in.

    Args:
        children: the page's content, inside <main>.
        signed_in: insured pages show the logout button and the navigation.
        current: the route of the navigation item to mark as the current page.
    """
    return shell(
        header(signed_in=signed_in),
        insured_nav(current) if signed_in else rx.fragment(),
        *children,
        load=AuthState.page_load,
        kind="insured",
        notice=session_expiry_notice(InsuredExpiryState, routes.LOGIN) if signed_in else None,
    )


def read_for_this_address(read_for: rx.Var[str], parameter: str) -> rx.Var[bool]:
    """Whether a page's state holds what its on_load read for the address the browser is at.

    A tab keeps its state from page to page: opened at a new address (`?parameter=`), a page
    that shows one thing (a relevé, an affaire) gets the previous one back from its state first,
    until its on_load has read the new one. Its state keeps the parameter's value it read in
    `read_for`; the browser compares it with its own address, so the page shows nothing under
    an address it was not read for, and nothing an agent could act on by mistake.
    """
    value = rx.State.router.url.query_parameters[parameter].to(str)
    return read_for == rx.cond(value, value, "")


def loading_status(text: str) -> rx.Component:
    """What a page shows until its on_load data arrives.

    It holds a full screen of height, so the footer stays below the fold while the
    content loads instead of being pushed down when it arrives (a layout shift).
    """
    return rx.text(text, role="status", min_height="100vh")


def button_link(label: str, href: str, *, primary: bool = False) -> rx.Component:
    """A link that looks like a button (navigation stays a link for assistive technologies)."""
    return rx.link(
        label,
        href=href,
        display="inline-flex",
        align_items="center",
        justify_content="center",
        min_height=TOUCH_TARGET,
        padding="10px 16px",
        border_radius=BUTTON_RADIUS,
        border=f"1px solid {BRAND_BLUE}",
        background=BRAND_BLUE if primary else "white",
        color="white" if primary else BRAND_BLUE,
        font_weight="500",
        text_decoration="none",
        text_align="center",
        class_name="button-link",
    )
