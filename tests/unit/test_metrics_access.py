"""Who may read the metrics: allowed addresses (through trusted proxies only) or the bearer token."""

from __future__ import annotations

from rxapp.api.metrics import access_allowed
from rxapp.settings import Settings

TOKEN = "t" * 40


def _settings(**values) -> Settings:
    return Settings.model_construct(
        **{
            **Settings().model_dump(),
            "metrics_token": TOKEN,
            "metrics_allowed": "127.0.0.1,10.0.0.0/8",
            **values,
        }
    )


def _allowed(peer: str, *, forwarded_for: str | None = None, authorization: str = "", **values) -> bool:
    return access_allowed(
        settings=_settings(**values), peer=peer, forwarded_for=forwarded_for, authorization=authorization
    )


def test_allowed_addresses_need_no_token() -> None:
    assert _allowed("127.0.0.1")
    assert _allowed("10.4.5.6")
    assert not _allowed("192.0.2.9")
    assert not _allowed("")


def test_the_token_opens_from_anywhere_and_a_wrong_one_closes_even_locally() -> None:
    assert _allowed("192.0.2.9", authorization=f"Bearer {TOKEN}")
    assert not _allowed("192.0.2.9", authorization="Bearer " + "x" * 40)
    assert not _allowed("127.0.0.1", authorization="Bearer wrong")


def test_without_a_token_configured_a_bearer_header_opens_nothing() -> None:
    assert not _allowed("192.0.2.9", authorization="Bearer ", metrics_token=None)


def test_a_forwarded_address_counts_only_through_a_trusted_proxy() -> None:
    # A visitor behind the proxy, even if it claims to be local.
    assert not _allowed("127.0.0.1", forwarded_for="192.0.2.9", trusted_proxies="127.0.0.1")
    # A forged header from outside changes nothing.
    assert not _allowed("192.0.2.9", forwarded_for="127.0.0.1")
