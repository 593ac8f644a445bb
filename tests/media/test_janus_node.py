"""A real Janus started from Confer's rendered configuration, in its own network namespace, with real media."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from janus_client import JanusSession, JanusVideoRoomPlugin, VideoRoomError

from confer.core.media.janus_auth import signed_token
from tests.media.conftest import StartFleet
from tests.media.janus_nodes import JanusFleet, JanusNode
from tests.media.peers import publisher, subscriber

UNAUTHORIZED = 403  # JANUS_ERROR_UNAUTHORIZED
VIDEOROOM_UNAUTHORIZED = 433


def janus_token(fleet: JanusFleet, *, minutes: int = 5, secret: str | None = None) -> str:
    expires_at = datetime.now(UTC) + timedelta(minutes=minutes)
    return signed_token(secret or fleet.secrets.token_auth_secret, expires_at)


async def create_session_reply(node: JanusNode, token: str | None) -> dict[str, object]:
    """Janus's raw answer to a ``create`` request on the client WebSocket."""
    message: dict[str, object] = {"janus": "create", "transaction": "t1"}
    if token is not None:
        message["token"] = token
    async with aiohttp.ClientSession() as http, http.ws_connect(node.ws_url, protocols=["janus-protocol"]) as ws:
        await ws.send_json(message)
        reply: dict[str, object] = await ws.receive_json(timeout=5)
        return reply


def error_code(reply: dict[str, object]) -> object:
    error = reply.get("error")
    return error.get("code") if isinstance(error, dict) else None


async def admin_request(node: JanusNode, admin_secret: str) -> dict[str, object]:
    body = {"janus": "list_sessions", "transaction": "x", "admin_secret": admin_secret}
    async with aiohttp.ClientSession() as http, http.post(node.admin_url, json=body) as response:
        reply: dict[str, object] = await response.json(content_type=None)
        return reply


async def create_room(
    node: JanusNode, fleet: JanusFleet, *, allowed: list[str], admin_key: str | None, require_pvtid: bool = False
) -> int:
    """Create a room the way the control plane does: a plain ``create`` with the admin key and an allowed list."""
    room = secrets.randbelow(10**9) + 1
    async with JanusSession(base_url=node.ws_url, token=janus_token(fleet)) as session:
        plugin = JanusVideoRoomPlugin()
        await plugin.attach(session)
        try:
            await plugin.create_room(
                room_id=room,
                publishers=4,
                videocodec="vp8",
                secret=secrets.token_urlsafe(16),
                admin_key=admin_key,
                allowed=allowed,
                require_pvtid=require_pvtid,
            )
        finally:
            await plugin.destroy()
    return room


async def test_a_node_refuses_sessions_without_a_valid_signed_token(janus_fleet: StartFleet) -> None:
    fleet = await janus_fleet(1)
    node = fleet[1]
    expired = janus_token(fleet, minutes=-1)
    foreign = janus_token(fleet, secret=secrets.token_urlsafe(24))

    assert error_code(await create_session_reply(node, None)) == UNAUTHORIZED
    assert error_code(await create_session_reply(node, expired)) == UNAUTHORIZED
    assert error_code(await create_session_reply(node, foreign)) == UNAUTHORIZED
    accepted = await create_session_reply(node, janus_token(fleet))
    assert accepted["janus"] == "success", accepted


async def test_a_token_only_opens_the_plugins_it_names(janus_fleet: StartFleet) -> None:
    fleet = await janus_fleet(1)
    expires_at = datetime.now(UTC) + timedelta(minutes=5)
    token = signed_token(fleet.secrets.token_auth_secret, expires_at, plugins=["janus.plugin.echotest"])
    async with JanusSession(base_url=fleet[1].ws_url, token=token) as session:
        with pytest.raises(Exception, match="Fail to attach plugin"):
            await JanusVideoRoomPlugin().attach(session)


async def test_the_admin_api_wants_the_admin_secret(janus_fleet: StartFleet) -> None:
    fleet = await janus_fleet(1)

    refused = await admin_request(fleet[1], "not-the-admin-secret")
    answered = await admin_request(fleet[1], fleet.secrets.admin_secret)

    assert error_code(refused) == UNAUTHORIZED
    assert answered["janus"] == "success"
    assert answered["sessions"] == []


async def test_creating_a_room_requires_the_videoroom_admin_key(janus_fleet: StartFleet) -> None:
    fleet = await janus_fleet(1)

    with pytest.raises(VideoRoomError) as refused:
        await create_room(fleet[1], fleet, allowed=[], admin_key=None)
    with pytest.raises(VideoRoomError):
        await create_room(fleet[1], fleet, allowed=[], admin_key="a-wrong-admin-key-value")
    room = await create_room(fleet[1], fleet, allowed=[], admin_key=fleet.secrets.videoroom_admin_key)

    assert refused.value.error_code in {VIDEOROOM_UNAUTHORIZED, 429}  # unauthorized / missing element
    assert room > 0


async def test_video_flows_from_a_publisher_to_a_subscriber_holding_the_room_token(janus_fleet: StartFleet) -> None:
    fleet = await janus_fleet(1)
    node = fleet[1]
    room_token = secrets.token_urlsafe(16)
    room = await create_room(node, fleet, allowed=[room_token], admin_key=fleet.secrets.videoroom_admin_key)

    alice = await publisher(node.ws_url, room, token=room_token, janus_token=janus_token(fleet), display="alice")
    try:
        bob = await subscriber(node.ws_url, room, alice.publisher_id, token=room_token, janus_token=janus_token(fleet))
        try:
            assert await bob.wait_frames(30, timeout=20) >= 30
        finally:
            await bob.close()
    finally:
        await alice.close()


async def test_a_publisher_without_the_room_token_is_refused(janus_fleet: StartFleet) -> None:
    fleet = await janus_fleet(1)
    node = fleet[1]
    room = await create_room(node, fleet, allowed=["the-room-token-1"], admin_key=fleet.secrets.videoroom_admin_key)

    with pytest.raises(VideoRoomError) as no_token:
        await publisher(node.ws_url, room, token=None, janus_token=janus_token(fleet), display="mallory")
    with pytest.raises(VideoRoomError) as wrong_token:
        await publisher(node.ws_url, room, token="guessed", janus_token=janus_token(fleet), display="mallory")

    assert no_token.value.error_code == VIDEOROOM_UNAUTHORIZED
    assert wrong_token.value.error_code == VIDEOROOM_UNAUTHORIZED


async def test_the_allowed_list_does_not_guard_subscriptions_but_require_pvtid_does(janus_fleet: StartFleet) -> None:
    """Janus 1.1.2 checks ``allowed`` tokens for publishers only; rooms must also set ``require_pvtid``."""
    fleet = await janus_fleet(1)
    node = fleet[1]
    room_token = secrets.token_urlsafe(16)
    open_room = await create_room(node, fleet, allowed=[room_token], admin_key=fleet.secrets.videoroom_admin_key)
    guarded_room = await create_room(
        node, fleet, allowed=[room_token], admin_key=fleet.secrets.videoroom_admin_key, require_pvtid=True
    )
    alice = await publisher(node.ws_url, open_room, token=room_token, janus_token=janus_token(fleet), display="a")
    carol = await publisher(node.ws_url, guarded_room, token=room_token, janus_token=janus_token(fleet), display="c")
    try:
        eve = await subscriber(
            node.ws_url, open_room, alice.publisher_id, token="guessed", janus_token=janus_token(fleet)
        )
        await eve.close()
        with pytest.raises(VideoRoomError) as refused:
            await subscriber(node.ws_url, guarded_room, carol.publisher_id, token=None, janus_token=janus_token(fleet))
        dave = await subscriber(
            node.ws_url,
            guarded_room,
            carol.publisher_id,
            token=None,
            janus_token=janus_token(fleet),
            private_id=carol.private_id,
        )
        await dave.close()
    finally:
        await alice.close()
        await carol.close()

    assert refused.value.error_code == VIDEOROOM_UNAUTHORIZED


async def test_a_client_publishes_on_the_second_node_while_the_first_exists(janus_fleet: StartFleet) -> None:
    fleet = await janus_fleet(2)
    node = fleet[2]
    room_token = secrets.token_urlsafe(16)
    room = await create_room(node, fleet, allowed=[room_token], admin_key=fleet.secrets.videoroom_admin_key)
    assert fleet[1].running

    alice = await publisher(node.ws_url, room, token=room_token, janus_token=janus_token(fleet), display="alice")
    try:
        bob = await subscriber(node.ws_url, room, alice.publisher_id, token=room_token, janus_token=janus_token(fleet))
        try:
            assert await bob.wait_frames(30, timeout=20) >= 30
        finally:
            await bob.close()
    finally:
        await alice.close()


async def test_a_killed_node_stops_answering(janus_fleet: StartFleet) -> None:
    fleet = await janus_fleet(1)
    fleet[1].kill()

    with pytest.raises(aiohttp.ClientError):
        await create_session_reply(fleet[1], janus_token(fleet))
