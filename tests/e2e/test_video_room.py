"""Two people meet in a booking's video room, each in their own browser, and see each other's video play."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
from playwright.async_api import expect

from confer.core.clock import OffsetClock
from confer.core.runtime import Runtime
from confer.modules.video import jobs
from confer.modules.video.tables import Room
from tests.e2e.conftest import OpenVisitor
from tests.e2e.room import enter_room, live_at, playing_videos, sees_video_playing, sign_in
from tests.media.control_plane import MediaPlane
from tests.modules.booking.test_booking import book, free_slots, open_practice
from tests.modules.classes.test_classes import enrol, one_session, open_class
from tests.modules.video.test_join_rules import PATIENT, PRO, at
from tests.support import bearer, signed_in

COACH = "coach@example.org"


async def test_both_parties_see_each_other_and_follow_their_room_when_its_node_fails(
    media: MediaPlane, client: httpx.AsyncClient, clock: OffsetClock, visitors: OpenVisitor, runtime: Runtime
) -> None:
    practice = await open_practice(client, PRO)
    patient = bearer(await signed_in(client, PATIENT))
    booking = await book(client, patient, practice, (await free_slots(client, practice))[0])
    await at(client, clock, booking["starts_at"], -timedelta(minutes=3))
    now = datetime.fromisoformat(booking["starts_at"]) - timedelta(minutes=3)

    people = [await visitors("Europe/Paris"), await visitors("Asia/Tokyo")]
    for visitor, email in zip(people, (PRO, PATIENT), strict=True):
        await live_at(visitor, now)
        await sign_in(visitor.page, email)
        await visitor.page.goto(f"/video/booking/{booking['id']}")
        await enter_room(visitor.page)
    for visitor in people:
        await sees_video_playing(visitor.page)

    # the room's media node crashes: the room moves to the other node and both browsers enter it again by themselves
    placed = await Room.select(Room.node).where(Room.subject == booking["id"]).first()
    assert placed is not None
    for visitor in people:
        visitor.expected_statuses.add(503)  # "video unavailable" while the node is missed and before the room moves
    media.node(placed["node"]).kill()
    await media.wait_for(lambda: _gone(media, placed["node"]))
    assert (await jobs.reconcile_rooms({"runtime": runtime}))["moved"] == 1
    for visitor in people:
        await sees_video_playing(visitor.page)


async def _gone(media: MediaPlane, node_id: str) -> bool:
    return node_id not in await media.reporting()


async def test_a_class_host_and_three_attendees(
    media: MediaPlane, client: httpx.AsyncClient, clock: OffsetClock, visitors: OpenVisitor
) -> None:
    practice, class_id = await open_class(client, COACH, capacity=5)
    session = await one_session(client, practice, class_id)
    attendees = [f"attendee{i}@example.org" for i in range(3)]
    for email in attendees:
        await enrol(client, bearer(await signed_in(client, email, name=f"Attendee {email[8]}")), session["id"])
    await at(client, clock, session["starts_at"], -timedelta(minutes=2))
    now = datetime.fromisoformat(session["starts_at"]) - timedelta(minutes=2)

    people = [await visitors(zone) for zone in ("Europe/Paris", "Asia/Tokyo", "America/New_York", "UTC")]
    for visitor, email in zip(people, (COACH, *attendees), strict=True):
        await live_at(visitor, now)
        await sign_in(visitor.page, email)
        await visitor.page.goto(f"/video/class/{session['id']}")
        await enter_room(visitor.page)
    host, *audience = people
    for visitor in audience:  # everyone watches the host
        await sees_video_playing(visitor.page)
    assert await playing_videos(host.page) == []  # nobody else has the floor yet

    # an attendee raises their hand; the host sees it and gives them the floor; both see each other
    speaker = audience[0].page
    await speaker.get_by_role("button", name="Raise your hand").click()
    await host.page.get_by_role("button", name="People").click()
    await expect(host.page.get_by_text("Hand raised")).to_be_visible()
    await host.page.get_by_role("button", name="Give Attendee 0 the floor").click()
    await expect(speaker.get_by_role("button", name="Turn the microphone off")).to_be_visible()
    await host.page.keyboard.press("Escape")
    await sees_video_playing(host.page)
    await sees_video_playing(audience[1].page, count=2)  # the host on the stage and the speaker in the grid
