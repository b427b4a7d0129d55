"""The visitor's address, as seen through the reverse proxies we trust.

The peer of a connection is the proxy when there is one. `X-Forwarded-For` names
the client, but anybody can send that header: it is believed only when the peer
is one of `TRUSTED_PROXIES`, and only as far back as the chain of trusted proxies
goes (each proxy appends the address it saw, so the list is read from the right).
"""

from __future__ import annotations

from collections.abc import Iterable
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network

Network = IPv4Network | IPv6Network


def parse_networks(value: str) -> tuple[Network, ...]:
    """The networks of a comma-separated list of IPs or CIDRs (`TRUSTED_PROXIES`, `METRICS_ALLOWED`).

    Raises:
        ValueError: A part is neither an IP address nor a network.
    """
    return tuple(ip_network(part.strip(), strict=False) for part in value.split(",") if part.strip())


def _parse(address: str) -> IPv4Address | IPv6Address | None:
    try:
        return ip_address(address.strip().strip("[]"))
    except ValueError:
        return None


def _trusted(address: IPv4Address | IPv6Address, proxies: Iterable[Network]) -> bool:
    return any(address.version == network.version and address in network for network in proxies)


def client_address(*, peer: str, forwarded_for: str | None, trusted_proxies: Iterable[Network]) -> str:
    """The client's address: the peer, or the first untrusted hop of `X-Forwarded-For`.

    Args:
        peer: The address of the connection's other end (the socket's peer).
        forwarded_for: The `X-Forwarded-For` header as received, or None.
        trusted_proxies: The networks of the reverse proxies we believe.

    Returns:
        The peer itself when it is not a trusted proxy (any forwarded header is then
        ignored); otherwise the right-most address of `X-Forwarded-For` that is not a
        trusted proxy, or its left-most one when every hop is trusted. A malformed
        hop stops the walk: the last trusted hop's own address is returned.
    """
    proxies = tuple(trusted_proxies)
    current = _parse(peer)
    if current is None or not proxies or not _trusted(current, proxies) or not forwarded_for:
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        parsed = _parse(hop)
        if parsed is None:
            return str(current)
        current = parsed
        if not _trusted(current, proxies):
            break
    return str(current)
