"""The command line's roles and operator commands (`python -m rxapp.cli ...`).

`rxapp.cli` parses the arguments; the modules here do the work: `roles` runs
one role per process (migrate, web, worker, beat, export) and the production
start-up checks, `agent_accounts` manages the agents' accounts.
"""

from __future__ import annotations


class StartupError(Exception):
    """Start-up cannot go on; the message is one line naming the culprit."""
