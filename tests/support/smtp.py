"""A real local SMTP server (aiosmtpd) that keeps what it receives."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from tests.support.processes import free_port


class Inbox:
    """The aiosmtpd handler: every message received, parsed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refusing = False

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.refusing:
            return "421 Service temporairement indisponible"
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(parsed)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.messages if message["To"] == address]


@contextmanager
def smtp_server() -> Iterator[tuple[str, Inbox]]:
    """Serve SMTP on a free port; yields its `smtp://` URL and the inbox."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}", inbox
    finally:
        controller.stop()
