"""The avis de dépôt: its text, and where it goes without an SMTP server."""

from __future__ import annotations

import email
import email.policy
from urllib.parse import quote, urlsplit

import pytest

from rxapp.services.mail import AVIS_SUBJECT, MailDeliveryError, avis_de_depot, deliver, smtp_endpoint
from tests.support.processes import free_port
from tests.support.smtp_tls import Certificate, self_signed_certificate, tls_smtp_server

# The implicit-TLS test server (aiosmtpd) warns that its AUTH does not require STARTTLS: the
# socket is TLS from the first byte (see tests/support/smtp_tls.py).
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")


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


def _hostile_avis():
    return avis_de_depot(
        to="x@example.fr",
        first_name="<script>alert(1)</script>",
        last_name="Dupont & Fils",
        sender="ne-pas-repondre@assurance-maladie.fr",
        account_url='http://localhost:3000/?a=1&b="2"',
    )


def test_the_html_part_escapes_every_value() -> None:
    html = _hostile_avis().get_body(preferencelist=("html",)).get_content()
    assert "<script" not in html.lower()
    assert "&lt;Script&gt;Alert(1)&lt;/Script&gt;" in html
    assert "Dupont &amp; Fils" in html
    assert 'href="http://localhost:3000/?a=1&amp;b=&quot;2&quot;"' in html
    text = _hostile_avis().get_body(preferencelist=("plain",)).get_content()
    assert "Dupont & Fils" in text  # the plain text part stays as written


def test_a_failure_names_the_server_but_never_the_password() -> None:
    url = f"smtp+starttls://robot:S3cret%21pass@127.0.0.1:{free_port()}"
    with pytest.raises(MailDeliveryError) as refused:
        deliver(_avis(), smtp_url=url, mail_dir=None, timeout=2)  # type: ignore[arg-type]
    assert "S3cret" not in str(refused.value) and "robot" not in str(refused.value)
    assert smtp_endpoint(url) == f"smtp+starttls://127.0.0.1:{urlsplit(url).port}"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return self_signed_certificate(tmp_path_factory.mktemp("tls"))


@pytest.mark.parametrize(("scheme", "implicit"), [("smtp+starttls", False), ("smtps", True)])
def test_tls_with_authentication_delivers(certificate: Certificate, scheme: str, implicit: bool) -> None:
    with tls_smtp_server(certificate, implicit=implicit, user="robot", password="p@ss:w/rd") as server:
        url = f"{scheme}://robot:{quote('p@ss:w/rd', safe='')}@127.0.0.1:{server.port}"
        where = deliver(_avis(), smtp_url=url, mail_dir=None, tls_context=certificate.client_context())  # type: ignore[arg-type]
        assert where == f"{scheme}://127.0.0.1:{server.port}"
        assert [m["Subject"] for m in server.inbox.to("chantal.labonde@example.fr")] == [AVIS_SUBJECT]
        assert server.authenticator.attempts == 1


@pytest.mark.parametrize(("scheme", "implicit"), [("smtp+starttls", False), ("smtps", True)])
def test_a_wrong_password_or_an_untrusted_certificate_is_refused(
    certificate: Certificate, scheme: str, implicit: bool
) -> None:
    with tls_smtp_server(certificate, implicit=implicit, user="robot", password="right") as server:
        wrong = f"{scheme}://robot:wrong@127.0.0.1:{server.port}"
        with pytest.raises(MailDeliveryError, match="SMTPAuthenticationError"):
            deliver(_avis(), smtp_url=wrong, mail_dir=None, tls_context=certificate.client_context())  # type: ignore[arg-type]
        right = f"{scheme}://robot:right@127.0.0.1:{server.port}"
        with pytest.raises(MailDeliveryError, match="SSL"):
            deliver(_avis(), smtp_url=right, mail_dir=None, timeout=3)  # type: ignore[arg-type]  # system CAs
        assert server.inbox.messages == []


def test_starttls_is_required_when_asked_for() -> None:
    from tests.support.smtp import smtp_server

    with smtp_server() as (url, inbox):
        plain_only = url.replace("smtp://", "smtp+starttls://")
        with pytest.raises(MailDeliveryError, match=r"(?i)starttls"):
            deliver(_avis(), smtp_url=plain_only, mail_dir=None)  # type: ignore[arg-type]
        assert inbox.messages == []
