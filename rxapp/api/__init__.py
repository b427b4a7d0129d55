"""HTTP routes served next to the Reflex app (same port), as one Starlette app."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import BaseRoute


def build_api(*route_groups: list[BaseRoute]) -> Starlette:
    """A Starlette app holding our routes; Reflex mounts itself beneath it."""
    return Starlette(routes=[route for group in route_groups for route in group])
