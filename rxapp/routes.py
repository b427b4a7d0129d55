"""Every route of the app, in one place, with its URL builders."""

LOGIN = "/"
DASHBOARD = "/tableau-de-bord"
HELP_NIR = "/aide/numero-de-securite-sociale"
HELP_CODE = "/aide/code-oublie"
HELP_FRANCECONNECT = "/aide/franceconnect"

# FranceConnect (plain HTTP routes, rxapp/api/franceconnect.py).
FRANCECONNECT_PREFIX = "/api/franceconnect"
FRANCECONNECT_LOGIN = f"{FRANCECONNECT_PREFIX}/connexion"
FRANCECONNECT_CALLBACK = f"{FRANCECONNECT_PREFIX}/retour"
FRANCECONNECT_LOGOUT = f"{FRANCECONNECT_PREFIX}/deconnexion"

# The accessibility statement and the legal pages, public, linked from every page's footer.
ACCESSIBILITY = "/accessibilite"
LEGAL_NOTICE = "/mentions-legales"
TERMS_OF_USE = "/conditions-generales-d-utilisation"
PERSONAL_DATA = "/donnees-personnelles"
SITE_MAP = "/plan-du-site"

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

# The entries of "Vos démarches en 2 clics".
RIGHTS_ATTESTATION = "/demarches/attestation-de-droits"
DAILY_ALLOWANCE_ATTESTATION = "/demarches/attestation-indemnites-journalieres"
EHIC_LOSS = "/demarches/carte-europeenne-perte-ou-vol"
EHIC_ORDER = "/demarches/carte-europeenne-commande"
PROCESSING_DELAYS = "/demarches/delais-de-traitement"
ATTESTATION_PDF = "/api/attestation-de-droits.pdf"
# The accessible (HTML) versions of the PDF documents (RGAA 13.3), linked beside each PDF.
ATTESTATION_PAGE = "/demarches/attestation-de-droits/version-accessible"
STATEMENT_PAGE = "/frais-de-sante/releve"
STATEMENT_PARAMETER = "paiement"

# The installable app: files served from assets/ (see rxapp/pwa.py).
MANIFEST = "/manifest.webmanifest"
SERVICE_WORKER = "/sw.js"
OFFLINE_PAGE = "/offline.html"

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


def statement_page_url(payment_id: int) -> str:
    """The accessible version of one payment's relevé: a page stating what its PDF states."""
    return f"{STATEMENT_PAGE}?{STATEMENT_PARAMETER}={payment_id}"


ADMIN_LOGIN = "/admin"
ADMIN_QUEUE = "/admin/affaires"
ADMIN_AFFAIRE = "/admin/affaire"
AFFAIRE_PARAMETER = "ref"
ADMIN_SUPERVISION = "/admin/supervision"
ADMIN_SIMULATION = "/admin/simulation"


def admin_affaire_url(reference: str) -> str:
    """One affaire's page in the back office."""
    return f"{ADMIN_AFFAIRE}?{AFFAIRE_PARAMETER}={reference}"
