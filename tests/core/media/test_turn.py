"""TURN credentials as coturn checks them (``use-auth-secret``): recomputed here from the REST API draft's recipe."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime

from confer.core.media.turn import ice_servers, turn_credentials


def test_credentials_are_coturns_rest_scheme_and_carry_their_expiry() -> None:
    expires = datetime(2026, 11, 24, 18, 30, tzinfo=UTC)
    username, credential = turn_credentials("s3cret-s3cret-s3cret", "user-1", expires)
    assert username == f"{int(expires.timestamp())}:user-1"
    expected = base64.b64encode(hmac.new(b"s3cret-s3cret-s3cret", username.encode(), hashlib.sha1).digest()).decode()
    assert credential == expected
    assert turn_credentials("another-secret-here", "user-1", expires)[1] != credential


def test_ice_servers_list_stun_then_turn_and_nothing_without_a_secret() -> None:
    expires = datetime(2026, 11, 24, 18, 30, tzinfo=UTC)
    servers = ice_servers(
        stun_urls=["stun:t:3478"], turn_urls=["turn:t:3478"], turn_secret="x" * 20, user_id="u", expires_at=expires
    )
    assert [s.urls for s in servers] == [["stun:t:3478"], ["turn:t:3478"]]
    assert servers[0].username is None
    assert (servers[1].username, servers[1].credential) == turn_credentials("x" * 20, "u", expires)
    assert ice_servers(stun_urls=[], turn_urls=["turn:t"], turn_secret=None, user_id="u", expires_at=expires) == []
