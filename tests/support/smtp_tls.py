"""A real SMTP server (aiosmtpd) with TLS and authentication, and its self-signed certificate."""

from __future__ import annotations

import ssl
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.support.processes import free_port
from tests.support.smtp import Inbox


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, self.key)
        return context

    def client_context(self) -> ssl.SSLContext:
        """A client context that trusts this certificate only (hostname checked)."""
        return ssl.create_default_context(cafile=str(self.cert))


def self_signed_certificate(directory: Path, host: str = "127.0.0.1") -> Certificate:
    """A throw-away certificate for `host`, made with the openssl command line."""
    cert, key = directory / "smtp.crt", directory / "smtp.key"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", str(key), "-out", str(cert), "-subj", f"/CN={host}",
            "-addext", f"subjectAltName=IP:{host}",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return Certificate(cert, key)


class _Authenticator:
    def __init__(self, user: str, password: str) -> None:
        self.user, self.password = user.encode(), password.encode()
        self.attempts = 0

    def __call__(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        self.attempts += 1
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == self.user
            and auth_data.password == self.password
        )
        return AuthResult(success=ok, handled=False)


@dataclass
class TlsSmtp:
    port: int
    inbox: Inbox
    authenticator: _Authenticator


@contextmanager
def tls_smtp_server(
    certificate: Certificate, *, implicit: bool, user: str, password: str
) -> Iterator[TlsSmtp]:
    """Serve SMTP with AUTH required, over STARTTLS (`implicit=False`) or implicit TLS."""
    inbox = Inbox()
    authenticator = _Authenticator(user, password)
    port = free_port()
    options: dict = {"authenticator": authenticator, "auth_required": True}
    if implicit:
        # aiosmtpd only knows of its own STARTTLS: on an implicit TLS socket the whole
        # session is already encrypted, so "AUTH only over TLS" is off for that mode.
        options["auth_require_tls"] = False
        controller = Controller(
            inbox,
            hostname="127.0.0.1",
            port=port,
            ssl_context=certificate.server_context(),
            server_hostname="127.0.0.1",
            **options,
        )
    else:
        controller = Controller(
            inbox,
            hostname="127.0.0.1",
            port=port,
            tls_context=certificate.server_context(),
            require_starttls=True,
            **options,
        )
    controller.start()
    try:
        yield TlsSmtp(port, inbox, authenticator)
    finally:
        controller.stop()
