"""Reflex configuration, fed from `rxapp.settings`."""

import os

import reflex as rx

from rxapp.build.plugin import NoModulePreloads, PurgeUnusedCss, RadixThemesWithoutBundle
from rxapp.settings import ConfigurationError, get_settings

try:
    settings = get_settings()
except ConfigurationError as error:  # one line, never a traceback
    raise SystemExit(str(error)) from None

os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
os.environ.setdefault("REFLEX_USE_NPM", "1")

ACCENT_COLOUR = "indigo"
GRAY_COLOUR = "slate"  # the gray Radix Themes pairs with indigo ("auto")

config = rx.Config(
    app_name="rxapp",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    redis_url=settings.reflex_redis_url,
    # Under a burst (hundreds of logins, each one argon2 hash), a tab's event may wait
    # seconds for CPU while it holds its lock: past 10 s (the default) it fails with
    # LockExpiredError. Each event held over 1 s (the default warning threshold) also
    # logged a multi-line warning, costing CPU when it is shortest (bench/OPTIMISATIONS.md).
    redis_lock_expiration=20_000,
    redis_lock_warning_threshold=5_000,
    frontend_port=settings.app_port,
    backend_port=settings.app_port,
    deploy_url=settings.base_url,
    api_url=settings.base_url,
    # The websocket handshake (socket.io) and CORS accept only the app's own origin: a page
    # elsewhere cannot open a socket that would carry the visitor's session cookie.
    cors_allowed_origins=settings.allowed_origins,
    plugins=[
        RadixThemesWithoutBundle(
            theme=rx.theme(
                accent_color=ACCENT_COLOUR, gray_color=GRAY_COLOUR, radius="medium", has_background=True
            )
        ),
        # The production build keeps only the style rules a page can use (bench/OPTIMISATIONS.md).
        PurgeUnusedCss(theme_accent=ACCENT_COLOUR, theme_gray=GRAY_COLOUR),
        # Then the pages lose their modulepreload links: the first paint no longer waits for the
        # scripts (bench/OPTIMISATIONS.md).
        NoModulePreloads(),
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
    # No page uses dynamic components: without this, every page loads all of Radix Themes
    # (tables, data lists, text areas...) for `window.__reflex` (bench/OPTIMISATIONS.md).
    frontend_lazy_bundled_libraries=True,
)
