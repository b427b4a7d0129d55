"""Public references, such as `DEM-2026-7Q4K9M2X` for a request or `AFF-2026-...` for an affaire."""

from __future__ import annotations

import secrets
from datetime import datetime

# No I, O, 0 or 1: a reference is read aloud on the phone and typed by hand.
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def public_reference(prefix: str, now: datetime) -> str:
    """A random public reference: the prefix, the year, then eight characters."""
    return f"{prefix}-{now:%Y}-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
