"""Reflex configuration, fed from `rxapp.settings`."""

import os

import reflex as rx

from rxapp.settings import ConfigurationError, get_settings

try:
    settings = get_settings()
except ConfigurationError as error:  # one line, never a traceback
    raise SystemExit(str(error)) from None

os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
os.environ.setdefault("REFLEX_USE_NPM", "1")

config = rx.Config(
    app_name="rxapp",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    redis_url=settings.reflex_redis_url,
    frontend_port=settings.app_port,
    backend_port=settings.app_port,
    deploy_url=settings.base_url,
    api_url=settings.base_url,
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(accent_color="indigo", radius="medium", has_background=True)
        )
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
