"""The "avis de dépôt" email, and its delivery by SMTP or as an .eml file."""

from __future__ import annotations

import functools
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from html import escape
from pathlib import Path
from urllib.parse import unquote, urlsplit

from rxapp.models import utcnow

AVIS_SUBJECT = "Une information importante vous attend dans votre compte ameli"
LEGAL = (
    "Merci de ne pas répondre à cet e-mail. Pour votre sécurité, l'Assurance Maladie vous invite à ne "
    "jamais communiquer votre code confidentiel permettant l'accès à votre compte ameli. Conformément à "
    "l'article 34 de la loi n° 78-17 du 6 janvier 1978 relative à l'informatique, aux fichiers et aux "
    "libertés, vous pouvez disposer d'un droit d'accès et de modification de vos données personnelles en "
    "contactant votre caisse d'Assurance Maladie. Ce message et ses éventuelles pièces jointes peuvent "
    "contenir des informations confidentielles ou privilégiées et elles ne doivent pas être diffusées, "
    "exploitées ou copiées sans autorisation. Si vous n'êtes pas destinataire du message, merci de le "
    "détruire ainsi que toutes ses éventuelles pièces jointes. Les messages électroniques étant "
    "susceptibles d'altération, l'Assurance Maladie décline toute responsabilité si ce message a été "
    "altéré, déformé ou falsifié."
)


class MailDeliveryError(Exception):
    """The SMTP server refused or could not be reached; the caller retries."""


def _display_name(first_name: str, last_name: str) -> str:
    """`Chantal Labonde`, as the seed's greeting writes it."""
    return f"{first_name.title()} {last_name.title()}"


def avis_de_depot(*, to: str, first_name: str, last_name: str, sender: str, account_url: str) -> EmailMessage:
    """The email telling the insured a notification awaits them (plain text and HTML).

    Every value put in the HTML part is escaped: a name or an address holding `<`, `&`
    or quotes shows as text and never becomes markup.
    """
    name = _display_name(first_name, last_name)
    html_name, html_url = escape(name), escape(account_url, quote=True)
    text = (
        f"Bonjour {name},\n\n"
        "Une information importante vous attend dans la rubrique Notifications de votre compte ameli.\n\n"
        "Consultez la au plus vite en vous connectant sur votre compte personnel en cliquant ici "
        f"({account_url}) ou depuis l'application pour smartphone ou tablette.\n\n"
        "Avec toute mon attention,\n\n"
        "Votre conseiller de l'Assurance Maladie\n\n"
        "Besoin d'accéder à vos remboursements où que vous soyez ?\n"
        "Téléchargez gratuitement l'appli ameli depuis l'App Store ou Google Play.\n"
        "Rendez-vous sur ameli.fr, l'Assurance Maladie en ligne.\n\n"
        f"{LEGAL}\n"
    )
    html = (
        '<!DOCTYPE html><html lang="fr"><body>'
        f"<p>Bonjour {html_name},</p>"
        "<p>Une information importante vous attend dans la rubrique Notifications de votre compte ameli.</p>"
        "<p>Consultez la au plus vite en vous connectant sur votre compte personnel en cliquant "
        f'<a href="{html_url}">ici</a> ou depuis l\'application pour smartphone ou tablette.</p>'
        "<p>Avec toute mon attention,</p><p>Votre conseiller de l'Assurance Maladie</p>"
        "<p><strong>Besoin d'accéder à vos remboursements où que vous soyez ?</strong><br>"
        "Téléchargez gratuitement l'appli ameli depuis l'App Store ou Google Play.<br>"
        'Rendez-vous sur <a href="https://www.ameli.fr">ameli.fr</a>, l\'Assurance Maladie en ligne.</p>'
        f'<p style="font-size:12px">{escape(LEGAL)}</p></body></html>'
    )
    message = EmailMessage()
    message["Subject"] = AVIS_SUBJECT
    message["From"] = f"Assurance Maladie <{sender}>"
    message["To"] = to
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1])
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


SMTP_SCHEMES = ("smtp", "smtp+starttls", "smtps")


def smtp_endpoint(smtp_url: str) -> str:
    """`scheme://host:port` of an SMTP URL: what may be logged (never its user or password)."""
    url = urlsplit(smtp_url)
    try:
        port = url.port
    except ValueError:
        port = None
    return f"{url.scheme}://{url.hostname or 'localhost'}:{port or _default_port(url.scheme)}"


def _default_port(scheme: str) -> int:
    return {"smtps": 465, "smtp+starttls": 587}.get(scheme, 25)


def deliver(
    message: EmailMessage,
    *,
    smtp_url: str | None,
    mail_dir: Path,
    timeout: float = 10,
    tls_context: ssl.SSLContext | None = None,
) -> str:
    """Send a message by SMTP, or write it as an .eml file when no server is configured.

    Args:
        message: The email.
        smtp_url: `smtp://host:25` (plain), `smtp+starttls://user:pass@host:587` (STARTTLS,
            refused if the server does not offer it) or `smtps://user:pass@host:465`
            (implicit TLS); user and password optional, percent-encoded. None: no server.
        mail_dir: Where the .eml files go without a server.
        timeout: Seconds for each network operation.
        tls_context: The TLS context (certificate checks); the system's default one if None.

    Returns:
        Where the message went: the file's path, or the server's `scheme://host:port`
        (never the credentials).

    Raises:
        MailDeliveryError: on a refusal or a network error; its text holds no credentials.
    """
    if not smtp_url:
        mail_dir.mkdir(parents=True, exist_ok=True)
        path = mail_dir / f"{utcnow():%Y%m%dT%H%M%S%f}-{message['Message-ID'].strip('<>').split('@')[0]}.eml"
        path.write_bytes(bytes(message))
        return str(path)
    url = urlsplit(smtp_url)
    if url.scheme not in SMTP_SCHEMES:
        raise MailDeliveryError(f"SMTP_URL : schéma {url.scheme!r} inconnu (smtp, smtp+starttls, smtps)")
    host = url.hostname or "localhost"
    port = url.port or _default_port(url.scheme)
    try:
        if url.scheme == "smtps":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                host, port, timeout=timeout, context=tls_context or _default_tls_context()
            )
        else:
            client = smtplib.SMTP(host, port, timeout=timeout)
        with client:
            if url.scheme == "smtp+starttls":
                # raises SMTPNotSupportedError if not offered
                client.starttls(context=tls_context or _default_tls_context())
            if url.username:
                client.login(unquote(url.username), unquote(url.password or ""))
            client.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise MailDeliveryError(f"{smtp_endpoint(smtp_url)}: {type(error).__name__}: {error}") from error
    return smtp_endpoint(smtp_url)


@functools.cache
def _default_tls_context() -> ssl.SSLContext:
    """The system's default TLS context, built once per process: loading the certificate
    authorities takes a quarter of a second, more than the send itself."""
    return ssl.create_default_context()
