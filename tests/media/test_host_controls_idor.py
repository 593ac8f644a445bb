"""A class's video controls and rosters are its host's: an attendee of the class, a stranger and another professional
get "not found" (DESIGN §5) from each, through real HTTP with the room open on a real Janus node, and nothing changes:
the host's list of who is in the room is as it was, and nobody is told of a floor or a removal."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest

from confer.core.clock import OffsetClock
from confer.core.runtime import Runtime
from confer.settings import Settings
from tests.core.test_realtime import heard_before_marker, receive, socket_of
from tests.media.control_plane import MediaPlane, StartFleet, media_plane
from tests.modules.booking.test_booking import open_practice
from tests.modules.booking.test_idor import all_not_found
from tests.modules.classes.test_classes import enrol, one_session, open_class
from tests.modules.video.test_join_rules import at
from tests.support import assert_problem, bearer, signed_in

HOST = "coach@example.org"
ATTENDEE = "attendee@example.org"
NEIGHBOUR = "neighbour@example.org"
STRANGER = "stranger@example.org"
OTHER_PRO = "other-pro@example.org"


@pytest.fixture
async def media(janus_fleet: StartFleet, runtime: Runtime, settings: Settings) -> AsyncIterator[MediaPlane]:
    async with media_plane(janus_fleet, runtime, settings, 1) as plane:
        yield plane


async def test_an_attendee_a_stranger_and_another_professional_cannot_use_the_hosts_controls(
    media: MediaPlane, client: httpx.AsyncClient, clock: OffsetClock, runtime: Runtime, server: str
) -> None:
    practice, class_id = await open_class(client, HOST, capacity=3)
    session = await one_session(client, practice, class_id)
    for email in (ATTENDEE, NEIGHBOUR):
        await enrol(client, bearer(await signed_in(client, email)), session["id"])
    await signed_in(client, STRANGER)
    await open_practice(client, OTHER_PRO)
    host, attendee, neighbour, stranger, other_pro = await at(
        client, clock, session["starts_at"], -timedelta(minutes=2), HOST, ATTENDEE, NEIGHBOUR, STRANGER, OTHER_PRO
    )
    video = f"/api/v1/classes/sessions/{session['id']}/video"
    for who in (host, attendee, neighbour):
        joined = await client.post(f"{video}/join", headers=who)
        assert joined.status_code == 200, joined.text
    ids = {
        name: (await client.get("/api/v1/me", headers=who)).json()["id"]
        for name, who in (("host", host), ("attendee", attendee), ("neighbour", neighbour))
    }
    before = await people(client, video, host)
    roster = f"/api/v1/me/classes/sessions/{session['id']}/enrolments"
    enrolled = await client.get(roster, headers=host)
    assert enrolled.status_code == 200, enrolled.text

    base = server.replace("http://", "ws://")
    async with (
        socket_of(base, token_of(attendee)) as mine,
        socket_of(base, token_of(neighbour)) as theirs,
    ):
        for ws in (mine, theirs):
            await receive(ws, "ready")
        for who in (attendee, stranger, other_pro):
            await all_not_found(
                *(
                    client.post(f"{video}/{control}", headers=who, json={"user_id": ids[target]})
                    for control in ("floor", "floor/take-back", "mute", "remove")
                    for target in ("attendee", "neighbour", "host")
                ),
            )
        for who in (stranger, other_pro):  # not in the room: not even who is or was there
            await all_not_found(
                client.get(f"{video}/participants", headers=who), client.get(f"{video}/attendance", headers=who)
            )
        await all_not_found(client.get(roster, headers=other_pro))  # another professional's session
        for who in (attendee, stranger):  # a professional's page: a client's role is refused, whatever the session
            assert_problem(await client.get(roster, headers=who), 403, "forbidden")
        # nobody was given the floor or removed: nothing of it reached the attendees
        assert await heard_before_marker(mine, runtime, ids["attendee"]) == []
        assert await heard_before_marker(theirs, runtime, ids["neighbour"]) == []

    assert await people(client, video, host) == before
    assert (await client.get(roster, headers=host)).json() == enrolled.json()
    given = await client.post(f"{video}/floor", headers=host, json={"user_id": ids["neighbour"]})  # the host can
    assert given.status_code == 204, given.text
    assert {p["user_id"]: p["may_publish"] for p in await people(client, video, host)}[ids["neighbour"]]


def token_of(headers: dict[str, str]) -> str:
    return headers["Authorization"].removeprefix("Bearer ")


async def people(client: httpx.AsyncClient, video: str, headers: dict[str, str]) -> list[dict[str, object]]:
    listed = await client.get(f"{video}/participants", headers=headers)
    assert listed.status_code == 200, listed.text
    found: list[dict[str, object]] = listed.json()["items"]
    return found
