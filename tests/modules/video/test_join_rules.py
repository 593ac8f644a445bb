"""Who may join a room and when, decided before any media node is involved (the admitted cases run against real
Janus in tests/media/test_video_rooms.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx

from confer.core.clock import OffsetClock
from tests.modules.booking.test_booking import book, free_slots, open_practice
from tests.modules.classes.test_classes import enrol, one_session, open_class
from tests.support import assert_problem, bearer, login, signed_in

PRO = "pro@example.org"
PATIENT = "patient@example.org"


async def at(
    client: httpx.AsyncClient, clock: OffsetClock, instant: str, delta: timedelta, *emails: str
) -> list[dict[str, str]]:
    """Set the app's clock to ``instant + delta`` and sign the given people in again (their tokens of the real
    present have expired in the app's future)."""
    clock.advance(datetime.fromisoformat(instant) + delta - clock.now())
    return [bearer(await login(client, email)) for email in emails]


async def a_booking(client: httpx.AsyncClient) -> dict[str, Any]:
    practice = await open_practice(client, PRO)
    patient = bearer(await signed_in(client, PATIENT))
    return await book(client, patient, practice, (await free_slots(client, practice))[0])


async def test_the_window_opens_ten_minutes_before_and_closes_fifteen_after(
    client: httpx.AsyncClient, clock: OffsetClock
) -> None:
    booking = await a_booking(client)
    join = f"/api/v1/bookings/{booking['id']}/video/join"

    [patient] = await at(client, clock, booking["starts_at"], -timedelta(minutes=10, seconds=30), PATIENT)
    early = assert_problem(await client.post(join, headers=patient), 409, "video-window-closed")
    assert "opens at" in early["detail"]

    # inside the window, the only thing missing here is a media node: a clear 503, never a 500
    for who in await at(client, clock, booking["starts_at"], -timedelta(minutes=9), PATIENT, PRO):
        off = await client.post(join, headers=who)
        assert_problem(off, 503, "video-unavailable")
        assert off.headers["retry-after"]

    [patient] = await at(client, clock, booking["ends_at"], timedelta(minutes=15), PATIENT)
    late = assert_problem(await client.post(join, headers=patient), 409, "video-window-closed")
    assert "closed at" in late["detail"]


async def test_strangers_other_peoples_bookings_and_cancelled_bookings_are_refused(
    client: httpx.AsyncClient, clock: OffsetClock
) -> None:
    booking = await a_booking(client)
    await signed_in(client, "stranger@example.org")
    join = f"/api/v1/bookings/{booking['id']}/video/join"
    patient, stranger = await at(
        client, clock, booking["starts_at"], -timedelta(minutes=5), PATIENT, "stranger@example.org"
    )

    assert_problem(await client.post(join, headers=stranger), 404)
    assert_problem(await client.get(f"/api/v1/bookings/{booking['id']}/video/attendance", headers=stranger), 404)
    assert_problem(await client.post(join), 401)

    cancelled = await client.post(f"/api/v1/bookings/{booking['id']}/cancel", headers=patient, json={"reason": "ill"})
    assert cancelled.status_code == 200, cancelled.text
    assert_problem(await client.post(join, headers=patient), 409, "video-closed")


async def test_only_the_host_and_enrolled_attendees_may_join_a_class(
    client: httpx.AsyncClient, clock: OffsetClock
) -> None:
    practice, class_id = await open_class(client, "coach@example.org", capacity=1)
    session = await one_session(client, practice, class_id)
    join = f"/api/v1/classes/sessions/{session['id']}/video/join"
    await enrol(client, bearer(await signed_in(client, "attendee@example.org")), session["id"])
    waiting = await enrol(client, bearer(await signed_in(client, "waiting@example.org")), session["id"])
    assert waiting["status"] == "waitlisted"
    await signed_in(client, "x@example.org")
    host, attendee, waiter, stranger = await at(
        client,
        clock,
        session["starts_at"],
        -timedelta(minutes=5),
        "coach@example.org",
        "attendee@example.org",
        "waiting@example.org",
        "x@example.org",
    )

    for refused in (waiter, stranger):
        assert_problem(await client.post(join, headers=refused), 404)
    for admitted in (attendee, host):
        assert_problem(await client.post(join, headers=admitted), 503, "video-unavailable")
    # the host's controls are the host's alone
    floor = f"/api/v1/classes/sessions/{session['id']}/video/floor"
    assert_problem(await client.post(floor, headers=attendee, json={"user_id": session["id"]}), 404)
