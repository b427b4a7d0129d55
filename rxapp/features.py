"""Which demo-only features this deployment offers.

The simulation page (`/admin/simulation`, where an agent inserts contracts by
hand) exists for the demo only. In production it is not registered at all, so
its route answers 404, and its state's handlers refuse to act.
"""

from __future__ import annotations

from rxapp.settings import Settings


def demo_features_enabled(settings: Settings) -> bool:
    """Whether demo-only features (the simulation page and its handlers) are on.

    Args:
        settings: the process's settings.

    Returns:
        False in production (`APP_ENV=production`), True otherwise.
    """
    return not settings.is_production
