"""The Medialog+ API alone, as the app serves it (same routes, same code), without the
Reflex build: `uvicorn tests.chaos.medialog_api:app`."""

from rxapp.api import build_api
from rxapp.api.medialog import medialog_routes

app = build_api(medialog_routes)
