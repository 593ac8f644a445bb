"""Time-limited TURN credentials in the coturn REST scheme (``use-auth-secret`` with ``static-auth-secret``).

The username is ``<expiry unix time>:<user id>`` and the password the base64 HMAC-SHA1 of the username under the
shared secret: coturn recomputes it, so nothing is stored and a leaked credential dies at its expiry.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime

import msgspec


class IceServer(msgspec.Struct, frozen=True, omit_defaults=True):
    """The shape of WebRTC's ``RTCIceServer``: the web and mobile clients pass it as it is."""

    urls: list[str]
    username: str | None = None
    credential: str | None = None


def turn_credentials(secret: str, user_id: str, expires_at: datetime) -> tuple[str, str]:
    username = f"{int(expires_at.timestamp())}:{user_id}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode()


def ice_servers(
    *, stun_urls: list[str], turn_urls: list[str], turn_secret: str | None, user_id: str, expires_at: datetime
) -> list[IceServer]:
    servers = [IceServer(urls=stun_urls)] if stun_urls else []
    if turn_urls and turn_secret:
        username, credential = turn_credentials(turn_secret, user_id, expires_at)
        servers.append(IceServer(urls=turn_urls, username=username, credential=credential))
    return servers
