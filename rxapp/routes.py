"""Every route of the app, in one place, with its URL builders."""

LOGIN = "/"
DASHBOARD = "/tableau-de-bord"
HELP_NIR = "/aide/numero-de-securite-sociale"
HELP_CODE = "/aide/code-oublie"
HELP_FRANCECONNECT = "/aide/franceconnect"

PAYMENTS = "/frais-de-sante"
PROCEDURES = "/demarches"
DOCUMENTS = "/vos-documents"
INFORMATION = "/vos-informations"
NOTIFICATIONS = "/notifications"
MESSAGES = "/messages"

SELECTION = "/complementaire/selection"
RECAP = "/complementaire/recapitulatif"
CONFIRMATION = "/complementaire/confirmation"
SELECTION_HELP = "/complementaire/aide"

STATEMENT_PREFIX = "/api/releves"

# The HTTP routes that set and expire the session cookies (rxapp/api/session.py).
OPEN_SESSION = "/api/session/ouvrir"
OPEN_AGENT_SESSION = "/api/session/agent/ouvrir"
CLOSE_SESSION = "/api/session/fermer"
CLOSE_AGENT_SESSION = "/api/session/agent/fermer"


def open_session_url(ticket: str, *, agent: bool = False) -> str:
    """Where the browser exchanges its login ticket for the session cookie."""
    return f"{OPEN_AGENT_SESSION if agent else OPEN_SESSION}?ticket={ticket}"


def statement_url(payment_id: int) -> str:
    """The PDF statement (relevé) of one payment."""
    return f"{STATEMENT_PREFIX}/{payment_id}.pdf"


ADMIN_LOGIN = "/admin"
ADMIN_QUEUE = "/admin/affaires"
ADMIN_AFFAIRE = "/admin/affaire"
ADMIN_SUPERVISION = "/admin/supervision"
ADMIN_SIMULATION = "/admin/simulation"


def admin_affaire_url(reference: str) -> str:
    """One affaire's page in the back office."""
    return f"{ADMIN_AFFAIRE}?ref={reference}"
