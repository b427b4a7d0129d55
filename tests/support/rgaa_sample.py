"""The signed-in pages of the RGAA sample, by their keys in the grid (rgaa_4_1.toml).

The grid must list them (tests/unit/test_accessibility_grid.py), and the browser tests
audit each of them (tests/e2e/test_rgaa.py): the journey's pages, then the agents'.
"""

from __future__ import annotations

INSURED_SAMPLE_PAGES = (
    "tableau_de_bord",
    "selection",
    "recapitulatif",
    "confirmation",
    "informations",
    "paiements",
    "releve_accessible",
    "attestation_de_droits",
    "attestation_accessible",
    "notifications",
)
AGENT_SAMPLE_PAGES = ("file_affaires", "affaire")
