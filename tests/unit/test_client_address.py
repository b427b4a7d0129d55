"""The client's address: X-Forwarded-For believed only from trusted proxies."""

from __future__ import annotations

from ipaddress import ip_network

from rxapp.services.client_address import client_address

PROXIES = (ip_network("127.0.0.1/32"), ip_network("10.0.0.0/8"))


def test_without_trusted_proxies_the_peer_is_the_client() -> None:
    assert client_address(peer="127.0.0.1", forwarded_for="203.0.113.9", trusted_proxies=()) == "127.0.0.1"


def test_a_forged_header_from_an_untrusted_peer_is_ignored() -> None:
    assert (
        client_address(peer="198.51.100.4", forwarded_for="203.0.113.9", trusted_proxies=PROXIES)
        == "198.51.100.4"
    )


def test_a_trusted_proxy_gives_the_address_it_saw() -> None:
    assert (
        client_address(peer="127.0.0.1", forwarded_for="203.0.113.9", trusted_proxies=PROXIES)
        == "203.0.113.9"
    )


def test_addresses_prepended_by_the_client_are_not_believed() -> None:
    # The client sent "X-Forwarded-For: 1.2.3.4"; the proxy appended what it saw.
    assert (
        client_address(peer="127.0.0.1", forwarded_for="1.2.3.4, 203.0.113.9", trusted_proxies=PROXIES)
        == "203.0.113.9"
    )


def test_a_chain_of_trusted_proxies_is_walked_back() -> None:
    assert (
        client_address(peer="127.0.0.1", forwarded_for="203.0.113.9, 10.1.2.3", trusted_proxies=PROXIES)
        == "203.0.113.9"
    )


def test_a_malformed_hop_stops_at_the_last_trusted_address() -> None:
    assert (
        client_address(peer="127.0.0.1", forwarded_for="<script>, 10.1.2.3", trusted_proxies=PROXIES)
        == "10.1.2.3"
    )


def test_ipv6_peers_and_missing_headers() -> None:
    v6 = (ip_network("::1/128"),)
    assert client_address(peer="::1", forwarded_for="2001:db8::7", trusted_proxies=v6) == "2001:db8::7"
    assert client_address(peer="::1", forwarded_for=None, trusted_proxies=v6) == "::1"
    assert client_address(peer="", forwarded_for="203.0.113.9", trusted_proxies=PROXIES) == ""


def test_an_http_request_behind_a_trusted_proxy(monkeypatch) -> None:
    from starlette.requests import Request

    from rxapp.observability import visitor
    from rxapp.settings import Settings

    settings = Settings.model_construct(**{**Settings().model_dump(), "trusted_proxies": "127.0.0.1"})
    monkeypatch.setattr(visitor, "get_settings", lambda: settings)

    def request(peer: str) -> Request:
        headers = [(b"x-forwarded-for", b"203.0.113.9")]
        return Request({"type": "http", "client": (peer, 5000), "headers": headers})

    assert visitor.request_address(request("127.0.0.1")) == "203.0.113.9"
    assert visitor.request_address(request("198.51.100.4")) == "198.51.100.4"
