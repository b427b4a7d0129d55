"""Every route of the app, in one place."""

LOGIN = "/"
DASHBOARD = "/tableau-de-bord"
HELP_NIR = "/aide/numero-de-securite-sociale"
HELP_CODE = "/aide/code-oublie"
HELP_FRANCECONNECT = "/aide/franceconnect"
