"""The avis de dépôt: its text, and where it goes without an SMTP server."""

from __future__ import annotations

import email
import email.policy

import pytest

from rxapp.services.mail import AVIS_SUBJECT, MailDeliveryError, avis_de_depot, deliver
from tests.support.processes import free_port


def _avis():
    return avis_de_depot(
        to="chantal.labonde@example.fr",
        first_name="CHANTAL",
        last_name="LABONDE",
        sender="ne-pas-repondre@assurance-maladie.fr",
        account_url="http://localhost:3000",
    )


def test_the_avis_has_the_seed_text_in_plain_text_and_html() -> None:
    message = _avis()
    assert message["Subject"] == AVIS_SUBJECT
    assert message["To"] == "chantal.labonde@example.fr"
    assert message["Auto-Submitted"] == "auto-generated"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert text.startswith("Bonjour Chantal Labonde,\n\n")
    assert (
        "Une information importante vous attend dans la rubrique Notifications de votre compte ameli." in text
    )
    assert "Avec toute mon attention," in text and "Votre conseiller de l'Assurance Maladie" in text
    assert "Merci de ne pas répondre à cet e-mail." in text
    html = message.get_body(preferencelist=("html",)).get_content()
    assert '<a href="http://localhost:3000">ici</a>' in html and 'lang="fr"' in html


def test_without_smtp_the_avis_is_written_as_an_eml_file(tmp_path) -> None:
    where = deliver(_avis(), smtp_url=None, mail_dir=tmp_path / "mail")
    files = list((tmp_path / "mail").glob("*.eml"))
    assert [str(f) for f in files] == [where]
    parsed = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert parsed["Subject"] == AVIS_SUBJECT


def test_an_unreachable_smtp_server_raises_a_retryable_error() -> None:
    with pytest.raises(MailDeliveryError):
        deliver(_avis(), smtp_url=f"smtp://127.0.0.1:{free_port()}", mail_dir=None, timeout=2)  # type: ignore[arg-type]
