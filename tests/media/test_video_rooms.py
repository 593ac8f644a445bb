"""The video control plane against real Janus nodes, each in its own network namespace: room operations, placement
over three nodes, a node crash, draining, the join API's answers, the host's controls, attendance from Janus's own
events, and real media decoded by aiortc clients that got everything they needed from the API."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
import msgspec
import pytest
from janus_client import JanusSession, VideoRoomError

from confer.core.clock import OffsetClock
from confer.core.media.backend import RoomSpec
from confer.core.realtime import user_channel
from confer.core.runtime import Runtime
from confer.modules.booking.tables import Booking
from confer.modules.video import jobs, rooms
from confer.modules.video.rooms import Subject
from confer.modules.video.tables import Attendance, Room
from confer.settings import Settings
from tests.media import room_clients as peers
from tests.media.control_plane import MediaPlane, StartFleet, media_plane
from tests.modules.booking.test_booking import book, free_slots, open_practice
from tests.modules.classes.test_classes import enrol, one_session, open_class
from tests.modules.video.test_join_rules import PATIENT, PRO, at
from tests.support import assert_problem, bearer, login, signed_in

FRAMES = 30
FRAME_SECONDS = 20.0
FRAMES_PER_SECOND = 30  # what aiortc's test publisher sends


@pytest.fixture
async def media(janus_fleet: StartFleet, runtime: Runtime, settings: Settings) -> AsyncIterator[MediaPlane]:
    async with media_plane(janus_fleet, runtime, settings, 3) as plane:
        yield plane


def subject(runtime: Runtime, starts_in: timedelta = timedelta(minutes=3), expected: int = 2) -> Subject:
    starts = runtime.clock.now() + starts_in
    return Subject(
        kind="booking",
        id=uuid4(),
        host=uuid4(),
        description="test room",
        starts_at=starts,
        ends_at=starts + timedelta(minutes=30),
        expected=expected,
        publishers=2,
    )


# --- the backend and the fleet ----------------------------------------------------------------------------------------


async def test_room_operations_on_a_real_node(media: MediaPlane, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # janus-client logs every message at INFO, secrets included, unless silenced
    backend = media.video.backend
    node = (await media.video.registry.nodes())[0]
    spec = RoomSpec(room_id=424242, secret="room-secret-1", description="ops", publishers=2, allowed=["tok-a"])

    assert not await backend.room_exists(node, spec.room_id)
    assert await backend.ensure_room(node, spec) is True
    assert await backend.ensure_room(node, spec) is False  # idempotent: exists, nothing made twice
    assert await backend.room_exists(node, spec.room_id)

    janus_token = peers.signed_for(media.runtime)
    with pytest.raises(VideoRoomError, match="Unauthorized"):
        await peers.participant(node.ws_url, spec.room_id, token="tok-b", janus_token=janus_token, display="b")
    await backend.allow(node, spec.room_id, spec.secret, ["tok-b"])
    guest = await peers.participant(node.ws_url, spec.room_id, token="tok-b", janus_token=janus_token, display="b")
    assert [p.id for p in await backend.participants(node, spec.room_id)] == [guest.publisher_id]

    await backend.kick(node, spec.room_id, spec.secret, guest.publisher_id)
    assert await backend.participants(node, spec.room_id) == []
    await backend.disallow(node, spec.room_id, spec.secret, ["tok-b"])
    with pytest.raises(VideoRoomError, match="Unauthorized"):
        await peers.participant(node.ws_url, spec.room_id, token="tok-b", janus_token=janus_token, display="b")

    await backend.destroy_room(node, spec.room_id, spec.secret)
    assert not await backend.room_exists(node, spec.room_id)
    await backend.destroy_room(node, spec.room_id, spec.secret)  # gone already: not an error
    await guest.close()
    for secret in (spec.secret, media.fleet.secrets.videoroom_admin_key, "tok-a"):
        assert secret not in caplog.text


async def test_rooms_spread_over_three_nodes_and_stay_where_they_were_placed(media: MediaPlane) -> None:
    runtime = media.runtime
    placed: dict[UUID, str] = {}
    for _ in range(6):
        room = await rooms.room_for(runtime, subject(runtime))
        _, node = await rooms.place(runtime, room["id"])
        placed[room["id"]] = node.id
    assert sorted(Counter(placed.values()).values()) == [2, 2, 2]
    for room_id, node_id in placed.items():
        again, node = await rooms.place(runtime, room_id)
        assert node.id == node_id  # sticky
        assert await media.video.backend.room_exists(node, again["janus_room"])


async def test_concurrent_placements_of_one_room_create_it_once(media: MediaPlane) -> None:
    runtime = media.runtime
    room = await rooms.room_for(runtime, subject(runtime))
    results = await asyncio.gather(*(rooms.place(runtime, room["id"]) for _ in range(8)))
    assert len({node.id for _, node in results}) == 1
    row = await Room.select(Room.placements).where(Room.id == room["id"]).first()
    assert row == {"placements": 1}


async def test_a_crashed_nodes_rooms_move_and_their_people_are_told(media: MediaPlane) -> None:
    runtime = media.runtime
    made = [await rooms.room_for(runtime, subject(runtime)) for _ in range(3)]
    where = {room["id"]: (await rooms.place(runtime, room["id"]))[1].id for room in made}
    victim_room = made[0]
    victim = where[victim_room["id"]]
    person = uuid4()
    await rooms.issue_pass(
        runtime, victim_room["id"], person, role="guest", may_publish=True, expires_at=victim_room["ends_at"]
    )
    async with runtime.redis.pubsub() as inbox:
        await inbox.subscribe(runtime.realtime.wire_name(user_channel(person)))
        media.node(victim).kill()
        await media.wait_for(lambda: _gone(media, victim))  # out within the TTL (2 s here)

        counts = await jobs.reconcile_rooms({"runtime": runtime})

        assert counts == {"moved": 1, "recreated": 0, "failed": 0}
        moved = await Room.select(Room.node).where(Room.id == victim_room["id"]).first()
        assert moved is not None
        assert moved["node"] not in (None, victim)
        node = await media.video.registry.node(moved["node"])
        assert node is not None
        assert await media.video.backend.room_exists(node, victim_room["janus_room"])
        message = await _next_message(inbox)
    assert message["type"] == "room.moved"
    assert message["data"]["room_id"] == victim_room["janus_room"]
    for room in made[1:]:  # the others did not move
        row = await Room.select(Room.node).where(Room.id == room["id"]).first()
        assert row == {"node": where[room["id"]]}


async def test_a_restarted_janus_gets_its_rooms_back(media: MediaPlane) -> None:
    runtime = media.runtime
    room = await rooms.room_for(runtime, subject(runtime))
    _, node = await rooms.place(runtime, room["id"])
    janus = media.node(node.id)
    await janus.stop()
    await janus.start()
    # a slow stop can outlast the heartbeat's TTL: reconcile a node that reports again (else the room would move)
    await media.wait_for(lambda: _reporting_again(media, node.id))
    assert not await media.video.backend.room_exists(node, room["janus_room"])
    counts = await jobs.reconcile_rooms({"runtime": runtime})
    assert counts["recreated"] == 1
    assert await media.video.backend.room_exists(node, room["janus_room"])


async def test_a_drained_node_takes_no_new_room_or_session_until_undrained(media: MediaPlane) -> None:
    runtime = media.runtime
    registry = media.video.registry
    first = await rooms.room_for(runtime, subject(runtime))
    _, busy = await rooms.place(runtime, first["id"])
    await registry.drain(busy.id)
    await media.wait_for(lambda: _draining(media, busy.id))

    for _ in range(4):
        room = await rooms.room_for(runtime, subject(runtime))
        assert (await rooms.place(runtime, room["id"]))[1].id != busy.id
    with pytest.raises(Exception, match=r"(?i)refus|not accepting|session"):
        async with JanusSession(base_url=busy.ws_url, token=peers.signed_for(runtime)) as session:
            await session.create()
    assert await media.video.backend.room_exists(busy, first["janus_room"])  # its rooms go on

    await registry.undrain(busy.id)
    await media.wait_for(lambda: _accepting(media, busy.id))
    async with JanusSession(base_url=busy.ws_url, token=peers.signed_for(runtime)) as session:
        await session.create()


# --- the join API -----------------------------------------------------------------------------------------------------


async def booked(
    client: httpx.AsyncClient, clock: OffsetClock
) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
    """A confirmed booking, with the app's clock five minutes before its start and both parties signed in."""
    practice = await open_practice(client, PRO)
    await signed_in(client, PATIENT)
    booking = await book(
        client, bearer(await login(client, PATIENT)), practice, (await free_slots(client, practice))[0]
    )
    patient, pro = await at(client, clock, booking["starts_at"], -timedelta(minutes=5), PATIENT, PRO)
    return booking, patient, pro


async def test_both_parties_see_each_other_with_nothing_but_the_join_answers(
    media: MediaPlane, client: httpx.AsyncClient, clock: OffsetClock, runtime: Runtime
) -> None:
    booking, patient, pro = await booked(client, clock)
    join = f"/api/v1/bookings/{booking['id']}/video/join"
    answers = []
    for who in (pro, patient):
        response = await client.post(join, headers=who)
        assert response.status_code == 200, response.text
        answers.append(response.json())
    host, guest = answers
    assert (host["role"], guest["role"]) == ("host", "guest")
    assert host["server_url"] == guest["server_url"]
    assert host["room_id"] == guest["room_id"]
    assert host["token"] != guest["token"]
    assert host["may_publish"]
    assert guest["may_publish"]
    turn = next(s for s in guest["ice_servers"] if s.get("username"))
    assert turn["username"].startswith(str(int(datetime.fromisoformat(guest["expires_at"]).timestamp())))
    room = await Room.select(Room.secret).where(Room.subject == UUID(booking["id"])).first()
    assert room is not None
    for answer in answers:  # nothing server-side reaches a client
        text = msgspec.json.encode(answer).decode()
        assert room["secret"] not in text
        assert media.fleet.secrets.admin_secret not in text
        assert media.fleet.secrets.videoroom_admin_key not in text

    pro_pub = await peers.publisher_from(host)
    guest_pub = await peers.publisher_from(guest)
    pro_sees = await peers.subscriber_from(host, guest_pub, pro_pub)
    guest_sees = await peers.subscriber_from(guest, pro_pub, guest_pub)
    try:
        assert await pro_sees.wait_frames(FRAMES, FRAME_SECONDS) >= FRAMES
        assert await guest_sees.wait_frames(FRAMES, FRAME_SECONDS) >= FRAMES
        # Janus's own events, posted to the internal endpoint, recorded both of them in the room
        await media.wait_for(lambda: _attended(runtime, booking["id"], 2))
        listed = await client.get(f"/api/v1/bookings/{booking['id']}/video/attendance", headers=pro)
        assert listed.status_code == 200, listed.text
        assert {item["role"] for item in listed.json()["items"]} >= {"host", "guest"}
        own = await client.get(f"/api/v1/bookings/{booking['id']}/video/attendance", headers=patient)
        assert {item["role"] for item in own.json()["items"]} == {"guest"}
    finally:
        for peer in (pro_sees, guest_sees, pro_pub, guest_pub):
            await peer.close()
    await media.wait_for(lambda: _all_left(runtime, booking["id"]))


async def test_cancelling_revokes_the_tokens_and_removes_everyone(
    media: MediaPlane, client: httpx.AsyncClient, clock: OffsetClock
) -> None:
    booking, patient, pro = await booked(client, clock)
    join = f"/api/v1/bookings/{booking['id']}/video/join"
    host = (await client.post(join, headers=pro)).json()
    guest = (await client.post(join, headers=patient)).json()
    in_room = await peers.publisher_from(guest)
    try:
        cancelled = await client.post(f"/api/v1/bookings/{booking['id']}/cancel", headers=pro, json={"reason": "ill"})
        assert cancelled.status_code == 200, cancelled.text
        await media.wait_for(lambda: _room_state(booking["id"], "destroyed"))
        with pytest.raises(VideoRoomError):
            await peers.participant_from(host)
        assert_problem(await client.post(join, headers=patient), 409, "video-closed")
    finally:
        await in_room.close()


async def test_rooms_are_ready_before_the_start_and_leaving_takes_the_token_off_the_list(
    media: MediaPlane, client: httpx.AsyncClient, clock: OffsetClock, runtime: Runtime
) -> None:
    booking, patient, _ = await booked(client, clock)
    assert await jobs.prepare_rooms({"runtime": runtime}) == 1  # it starts within 5 minutes
    room = await rooms.room_of_subject(UUID(booking["id"]))
    assert room is not None
    assert room["state"] == "open"
    node = await media.video.registry.node(room["node"])
    assert node is not None
    assert await media.video.backend.room_exists(node, room["janus_room"])
    assert await jobs.prepare_rooms({"runtime": runtime}) == 0  # idempotent

    join = f"/api/v1/bookings/{booking['id']}/video/join"
    answer = (await client.post(join, headers=patient)).json()
    seat = await peers.participant_from(answer)
    await seat.close()
    left = await client.post(f"/api/v1/bookings/{booking['id']}/video/leave", headers=patient)
    assert left.status_code == 204, left.text
    with pytest.raises(VideoRoomError, match="Unauthorized"):
        await peers.participant_from(answer)
    rejoined = (await client.post(join, headers=patient)).json()  # joining again lets them in again
    back = await peers.participant_from(rejoined)
    await back.close()


async def test_an_attendee_who_leaves_the_class_is_removed_from_its_room(
    media: MediaPlane, client: httpx.AsyncClient, clock: OffsetClock
) -> None:
    practice, class_id = await open_class(client, "coach@example.org", capacity=3)
    session = await one_session(client, practice, class_id)
    await enrol(client, bearer(await signed_in(client, "attendee@example.org")), session["id"])
    host_headers, attendee = await at(
        client, clock, session["starts_at"], -timedelta(minutes=2), "coach@example.org", "attendee@example.org"
    )
    base = f"/api/v1/classes/sessions/{session['id']}"
    host = (await client.post(f"{base}/video/join", headers=host_headers)).json()
    seat = await peers.participant_from((await client.post(f"{base}/video/join", headers=attendee)).json())
    try:
        assert seat.publisher_id in await _participant_ids(media, host)
        assert (await client.post(f"{base}/leave", headers=attendee)).status_code == 200
        await media.wait_for(lambda: _kicked(media, host, seat.publisher_id))  # through the event and the worker
        assert_problem(await client.post(f"{base}/video/join", headers=attendee), 404)
    finally:
        await seat.close()


async def test_a_class_host_is_seen_by_ten_attendees_and_gives_one_the_floor(
    media: MediaPlane, client: httpx.AsyncClient, clock: OffsetClock
) -> None:
    practice, class_id = await open_class(client, "coach@example.org", capacity=10)
    session = await one_session(client, practice, class_id)
    emails = [f"attendee{i}@example.org" for i in range(10)]
    for email in emails:
        await enrol(client, bearer(await signed_in(client, email)), session["id"])
    host_headers, *attendee_headers = await at(
        client, clock, session["starts_at"], -timedelta(minutes=2), "coach@example.org", *emails
    )
    base = f"/api/v1/classes/sessions/{session['id']}/video"
    host = (await client.post(f"{base}/join", headers=host_headers)).json()
    attendees = [(await client.post(f"{base}/join", headers=h)).json() for h in attendee_headers]
    assert host["role"] == "host"
    assert host["may_publish"]
    assert {a["role"] for a in attendees} == {"attendee"}
    assert not any(a["may_publish"] for a in attendees)

    on_stage = await peers.publisher_from(host)
    seats = [await peers.participant_from(a) for a in attendees]
    watchers = [await peers.subscriber_from(a, on_stage, seat) for a, seat in zip(attendees, seats, strict=True)]
    speaker: peers.Publisher | None = None
    try:
        counts = await asyncio.gather(*(w.wait_frames(FRAMES, FRAME_SECONDS * 2) for w in watchers))
        assert min(counts) >= FRAMES

        # an attendee without the floor who publishes anyway is removed by Confer (Janus alone would allow it)
        sneaky_feed = attendees[9]["feed_id"] + 2
        sneaky = await peers.publishing_attempt(attendees[9], publisher_id=sneaky_feed)
        try:
            await media.wait_for(lambda: _kicked(media, host, sneaky_feed))
            assert seats[9].publisher_id in await _participant_ids(media, host)  # the rule, not a purge
        finally:
            await sneaky.close()

        # the host gives attendee 0 the floor; their next join says so; the others see them
        given = await client.post(
            f"{base}/floor", headers=host_headers, json={"user_id": await _user_id(client, attendee_headers[0])}
        )
        assert given.status_code == 204, given.text
        again = (await client.post(f"{base}/join", headers=attendee_headers[0])).json()
        assert again["may_publish"]
        await seats[0].close()
        speaker = await peers.publisher_from(again)
        audience = [
            await peers.subscriber_from(a, speaker, seat) for a, seat in zip(attendees[1:4], seats[1:4], strict=True)
        ]
        try:
            assert min(await asyncio.gather(*(w.wait_frames(FRAMES, FRAME_SECONDS) for w in audience))) >= FRAMES
        finally:
            for watcher in audience:
                await watcher.close()

        # the host removes attendee 5: what they watched stops, the others' goes on, and they cannot come back
        removed = await client.post(
            f"{base}/remove", headers=host_headers, json={"user_id": await _user_id(client, attendee_headers[5])}
        )
        assert removed.status_code == 204, removed.text
        # Watcher 6 gets the same stream from the same node, so its frames are the clock (no fixed sleep): once it has
        # decoded 1.5 s more, what was in flight to watcher 5 has landed; over the next 1.5 s only watcher 6's go on.
        await watchers[6].wait_frames(watchers[6].frames + FRAMES_PER_SECOND * 3 // 2, FRAME_SECONDS)
        cut = watchers[5].frames
        await watchers[6].wait_frames(watchers[6].frames + FRAMES_PER_SECOND * 3 // 2, FRAME_SECONDS)
        assert watchers[5].frames - cut <= 2
        assert_problem(await client.post(f"{base}/join", headers=attendee_headers[5]), 403)
    finally:
        for peer in [*watchers, *seats[1:], on_stage, *([speaker] if speaker else [])]:
            await peer.close()


async def test_the_floor_limit_is_confers(media: MediaPlane, client: httpx.AsyncClient, clock: OffsetClock) -> None:
    practice, class_id = await open_class(client, "coach@example.org", capacity=5)
    session = await one_session(client, practice, class_id)
    emails = [f"attendee{i}@example.org" for i in range(5)]
    for email in emails:
        await enrol(client, bearer(await signed_in(client, email)), session["id"])
    host_headers, *attendee_headers = await at(
        client, clock, session["starts_at"], -timedelta(minutes=2), "coach@example.org", *emails
    )
    base = f"/api/v1/classes/sessions/{session['id']}/video"
    assert (await client.post(f"{base}/join", headers=host_headers)).status_code == 200
    ids = []
    for headers in attendee_headers:
        assert (await client.post(f"{base}/join", headers=headers)).status_code == 200
        ids.append(await _user_id(client, headers))
    limit = media.video.settings.floor_limit
    results = await asyncio.gather(
        *(client.post(f"{base}/floor", headers=host_headers, json={"user_id": user}) for user in ids)
    )
    assert Counter(r.status_code for r in results) == {204: limit, 409: len(ids) - limit}
    removed = await client.post(f"{base}/remove", headers=host_headers, json={"user_id": ids[0]})
    assert removed.status_code == 204, removed.text
    assert_problem(await client.post(f"{base}/join", headers=attendee_headers[0]), 403)


async def test_people_in_a_class_room_see_who_is_there_and_the_host_hears_a_raised_hand(
    media: MediaPlane, client: httpx.AsyncClient, clock: OffsetClock, runtime: Runtime
) -> None:
    practice, class_id = await open_class(client, "coach@example.org", capacity=3)
    session = await one_session(client, practice, class_id)
    emails = ["attendee0@example.org", "attendee1@example.org"]
    for email in emails:
        await enrol(client, bearer(await signed_in(client, email)), session["id"])
    await signed_in(client, "stranger@example.org")
    host_headers, first, second, stranger = await at(
        client, clock, session["starts_at"], -timedelta(minutes=2), "coach@example.org", *emails, "stranger@example.org"
    )
    base = f"/api/v1/classes/sessions/{session['id']}/video"
    answers = [(await client.post(f"{base}/join", headers=h)).json() for h in (host_headers, first, second)]
    first_id = await _user_id(client, first)

    listed = await client.get(f"{base}/participants", headers=second)
    assert listed.status_code == 200, listed.text
    people = listed.json()["items"]
    assert [(p["role"], p["feed_id"], p["may_publish"]) for p in people] == [
        (a["role"], a["feed_id"], a["may_publish"]) for a in answers
    ]
    assert not any(p["hand_raised"] for p in people)
    assert_problem(await client.get(f"{base}/participants", headers=stranger), 404)
    assert_problem(await client.post(f"{base}/hand", headers=stranger, json={"raised": True}), 404)
    assert_problem(await client.post(f"{base}/hand", headers=host_headers, json={"raised": True}), 404)

    host_id = await _user_id(client, host_headers)
    async with runtime.redis.pubsub() as inbox:
        await inbox.subscribe(runtime.realtime.wire_name(user_channel(host_id)))
        raised = await client.post(f"{base}/hand", headers=first, json={"raised": True})
        assert raised.status_code == 204, raised.text
        message = await _next_message(inbox)
    assert message["type"] == "video.hand"
    assert message["data"] == {"session_id": session["id"], "user_id": first_id, "raised": True}
    hands = {p["user_id"]: p["hand_raised"] for p in await _people(client, base, host_headers)}
    assert hands[first_id]

    # giving the floor answers the hand
    given = await client.post(f"{base}/floor", headers=host_headers, json={"user_id": first_id})
    assert given.status_code == 204, given.text
    after = {p["user_id"]: p for p in await _people(client, base, host_headers)}
    assert after[first_id]["may_publish"]
    assert not after[first_id]["hand_raised"]

    # someone who left is no longer listed, and can no longer see the list
    left = await client.post(f"{base}/leave", headers=second)
    assert left.status_code == 204, left.text
    assert len(await _people(client, base, host_headers)) == 2
    assert_problem(await client.get(f"{base}/participants", headers=second), 404)


async def _people(client: httpx.AsyncClient, base: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    listed = await client.get(f"{base}/participants", headers=headers)
    assert listed.status_code == 200, listed.text
    people: list[dict[str, Any]] = listed.json()["items"]
    return people


async def test_the_hard_end_closes_the_room_and_records_a_no_show(
    media: MediaPlane, client: httpx.AsyncClient, clock: OffsetClock, runtime: Runtime
) -> None:
    booking, _, pro = await booked(client, clock)
    host = (await client.post(f"/api/v1/bookings/{booking['id']}/video/join", headers=pro)).json()
    alone = await peers.publisher_from(host)
    try:
        await media.wait_for(lambda: _attended(runtime, booking["id"], 1))
        await at(client, clock, booking["ends_at"], timedelta(minutes=16))
        assert await jobs.close_rooms({"runtime": runtime}) == 1
        assert await _room_state(booking["id"], "ended")
        status = await Booking.select(Booking.status).where(Booking.id == UUID(booking["id"])).first()
        assert status == {"status": "no_show"}
        clock.advance(timedelta(minutes=11))
        assert await jobs.close_rooms({"runtime": runtime}) == 1
        assert await _room_state(booking["id"], "destroyed")
    finally:
        await alone.close()


async def test_the_events_endpoint_wants_the_secret_and_is_not_in_the_public_api(
    media: MediaPlane, client: httpx.AsyncClient
) -> None:
    for auth in (None, ("janus", "wrong"), ("someone", "x")):
        refused = await client.post("/internal/media/events", json=[], auth=auth)
        assert refused.status_code == 401
    schema = (await client.get("/api/docs/openapi.json")).json()
    assert not any(path.startswith("/internal") for path in schema["paths"])
    assert "/api/v1/bookings/{booking_id}/video/join" in schema["paths"]


# --- small waits and lookups ------------------------------------------------------------------------------------------


async def _reporting_again(media: MediaPlane, node_id: str) -> bool:
    return node_id in await media.reporting()


async def _gone(media: MediaPlane, node_id: str) -> bool:
    return node_id not in await media.reporting()


async def _draining(media: MediaPlane, node_id: str) -> bool:
    node = await media.video.registry.node(node_id)
    return node is not None and node.draining and not node.accepting


async def _accepting(media: MediaPlane, node_id: str) -> bool:
    node = await media.video.registry.node(node_id)
    return node is not None and node.accepting


async def _next_message(inbox: Any) -> dict[str, Any]:
    async with asyncio.timeout(5):
        while True:
            message = await inbox.get_message(ignore_subscribe_messages=True, timeout=1)
            if message is not None:
                decoded: dict[str, Any] = msgspec.json.decode(message["data"])
                return decoded


async def _attended(runtime: Runtime, subject_id: str, people: int) -> bool:
    room = await rooms.room_of_subject(UUID(subject_id))
    if room is None:
        return False
    users = await Attendance.select(Attendance.user).where(Attendance.room == room["id"])
    return len({row["user"] for row in users}) >= people


async def _all_left(runtime: Runtime, subject_id: str) -> bool:
    room = await rooms.room_of_subject(UUID(subject_id))
    assert room is not None
    return not await Attendance.exists().where((Attendance.room == room["id"]) & Attendance.left_at.is_null())


async def _room_state(subject_id: str, state: str) -> bool:
    room = await rooms.room_of_subject(UUID(subject_id))
    return room is not None and room["state"] == state


async def _participant_ids(media: MediaPlane, answer: dict[str, Any]) -> set[int]:
    node = next(n for n in await media.video.registry.nodes() if n.ws_url == answer["server_url"])
    return {p.id for p in await media.video.backend.participants(node, answer["room_id"])}


async def _kicked(media: MediaPlane, answer: dict[str, Any], feed: int) -> bool:
    return feed not in await _participant_ids(media, answer)


async def _user_id(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    me = await client.get("/api/v1/me", headers=headers)
    user: str = me.json()["id"]
    return user
