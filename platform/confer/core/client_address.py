"""The client's real address behind trusted reverse proxies (``CONFER_TRUSTED_PROXIES``).

Behind an ingress every connection comes from the ingress. The proxy says who its client was in ``X-Forwarded-For``
(or RFC 7239 ``Forwarded``), but anyone can send those headers, so they are read only when the direct peer is in a
trusted network, and then from the right: each trusted proxy appends the address it saw, so the rightmost address
that is not a trusted proxy is the first one no proxy of ours can vouch for beyond — the client. Whatever a client
wrote further left is ignored.

The middleware rewrites the ASGI scope's ``client`` once, before anything else reads it, so the rate limiter, sign-in
throttling, the addresses sessions record and the logs all see the same address.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network
from typing import Literal

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send

ForwardingHeader = Literal["x-forwarded-for", "forwarded"]
Address = IPv4Address | IPv6Address


class TrustedProxies:
    """The networks whose connections may say who their client was."""

    def __init__(self, cidrs: Iterable[str]) -> None:
        self.networks: tuple[IPv4Network | IPv6Network, ...] = tuple(ip_network(c, strict=False) for c in cidrs)

    def __bool__(self) -> bool:
        return bool(self.networks)

    def trust(self, address: Address) -> bool:
        return any(address in network for network in self.networks)


def client_address(peer: str, headers: Iterable[tuple[bytes, bytes]], trusted: TrustedProxies, header: bytes) -> str:
    """The client of a connection from ``peer``: ``peer`` itself unless it is a trusted proxy, else the rightmost
    address of the forwarding chain that no trusted proxy accounts for. A malformed header is as good as none: the
    answer falls back to the last address a trusted proxy vouched for."""
    nearest = _parsed(peer)
    if nearest is None or not trusted.trust(nearest):
        return peer
    hops = [value for name, value in headers if name == header]
    parse = _forwarded_for if header == b"forwarded" else _x_forwarded_for
    for hop in parse(hops):
        address = _parsed(hop)
        if address is None:
            break
        nearest = address
        if not trusted.trust(address):
            break
    return str(nearest)


def client_address_middleware(app: ASGIApp, *, trusted: TrustedProxies, header: ForwardingHeader) -> ASGIApp:
    """Set the scope's ``client`` to the real client's address (use with ``DefineMiddleware``); with no trusted
    proxy configured, the app is returned as it is and nothing is ever read from the headers."""
    if not trusted:
        return app
    header_name = header.encode()

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        peer = scope.get("client")
        if peer and scope["type"] in (ScopeType.HTTP, ScopeType.WEBSOCKET):
            real = client_address(peer[0], scope["headers"], trusted, header_name)
            if real != peer[0]:
                scope["client"] = (real, 0)
        await app(scope, receive, send)

    return middleware


def _parsed(text: str) -> Address | None:
    try:
        address = ip_address(text)
    except ValueError:
        return None
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _x_forwarded_for(values: list[bytes]) -> Iterator[str]:
    """The hops of every ``X-Forwarded-For`` line, nearest first (lines in order make one list)."""
    hops = [hop.strip() for value in values for hop in value.decode("latin-1").split(",")]
    yield from reversed(hops)


def _forwarded_for(values: list[bytes]) -> Iterator[str]:
    """The ``for=`` node of every RFC 7239 element, nearest first; an element without one, or with an obfuscated or
    ``unknown`` node, is yielded as it is and ends the walk."""
    elements = [element for value in values for element in _split_outside_quotes(value.decode("latin-1"), ",")]
    for element in reversed(elements):
        node = ""
        for pair in _split_outside_quotes(element, ";"):
            name, _, raw = pair.partition("=")
            if name.strip().lower() == "for":
                node = raw.strip().strip('"')
        yield _without_port(node)


def _without_port(node: str) -> str:
    """``192.0.2.1:4711`` -> ``192.0.2.1``; ``[2001:db8::1]:4711`` -> ``2001:db8::1``; anything else unchanged."""
    if node.startswith("["):
        closing = node.find("]")
        return node[1:closing] if closing > 0 else node
    if node.count(":") == 1:
        return node.partition(":")[0]
    return node


def _split_outside_quotes(text: str, separator: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        if char == separator and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [part.strip() for part in parts if part.strip()]
