"""Short-lived tokens for Janus's ``token_auth_secret`` mode, minted by the control plane for each client.

Janus checks them on its own, with no call back to Confer: ``<expiry>,janus,<plugin>...:<signature>``, where the
signature is the base64 HMAC-SHA1 of everything before the colon, keyed with the node's ``token_auth_secret``.
A token lets its holder open a session until ``expiry`` (unix seconds) and attach only the plugins it lists.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from datetime import datetime

REALM = "janus"
VIDEOROOM = "janus.plugin.videoroom"


def signed_token(secret: str, expires_at: datetime, plugins: Sequence[str] = (VIDEOROOM,)) -> str:
    """A token Janus accepts until ``expires_at`` for the given plugins."""
    if expires_at.tzinfo is None or expires_at.utcoffset() is None:
        raise ValueError("expires_at must be timezone-aware")
    if not plugins or any("," in p or ":" in p for p in plugins):
        raise ValueError("plugins must be one or more package names without ',' or ':'")
    data = ",".join((str(int(expires_at.timestamp())), REALM, *plugins))
    digest = hmac.new(secret.encode(), data.encode(), hashlib.sha1).digest()
    return f"{data}:{base64.b64encode(digest).decode()}"
