"""Group classes through the running app: sessions, enrolment that never exceeds capacity, and the waitlist."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from confer.core.clock import OffsetClock
from confer.core.runtime import Runtime
from confer.core.tables import OutboxEvent
from confer.modules.booking.tables import Booking
from confer.modules.classes.service import expire_offers
from confer.modules.classes.tables import ClassSession, Enrolment
from tests.modules.booking.test_booking import Practice, free_slots, many_clients, open_practice
from tests.support import assert_problem, bearer, login, signed_in

PARIS = ZoneInfo("Europe/Paris")


async def open_class(
    client: httpx.AsyncClient, email: str = "coach@example.org", *, capacity: int = 5, **terms: Any
) -> tuple[Practice, str]:
    """A published professional (with a consultation offering) and one class offering of theirs: free unless
    ``terms`` give it a price."""
    practice = await open_practice(client, email)
    created = await client.post(
        "/api/v1/me/offerings",
        headers=bearer(practice.tokens),
        json={
            "kind": "class",
            "title": "Yoga",
            "duration_minutes": 60,
            "price_minor": 0,
            "currency": "EUR",
            "capacity": capacity,
            **terms,
        },
    )
    assert created.status_code == 201, created.text
    return practice, created.json()["id"]


def in_days(days: int, hour: int = 12) -> datetime:
    return (datetime.now(UTC) + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


async def one_session(client: httpx.AsyncClient, practice: Practice, class_id: str, **body: Any) -> dict[str, Any]:
    created = await client.post(
        f"/api/v1/me/classes/{class_id}/sessions",
        headers=bearer(practice.tokens),
        json={"starts_at": in_days(5).isoformat(), **body},
    )
    assert created.status_code == 201, created.text
    sessions: list[dict[str, Any]] = created.json()
    assert len(sessions) == 1
    return sessions[0]


async def enrol(client: httpx.AsyncClient, headers: dict[str, str], session_id: str) -> dict[str, Any]:
    response = await client.post(f"/api/v1/classes/sessions/{session_id}/enrol", headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def place(client: httpx.AsyncClient, headers: dict[str, str], session_id: str) -> dict[str, Any]:
    response = await client.get(f"/api/v1/classes/sessions/{session_id}/enrolment", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def seats_taken(session_id: str) -> int:
    row = await ClassSession.select(ClassSession.seats_taken).where(ClassSession.id == session_id).first()
    assert row is not None
    taken: int = row["seats_taken"]
    return taken


async def nothing_scheduled() -> bool:
    return await ClassSession.count() == 0 and await Booking.count() == 0


async def test_a_hundred_contenders_for_the_last_five_seats_get_exactly_five_enrolments(
    client: httpx.AsyncClient,
) -> None:
    practice, class_id = await open_class(client, capacity=8)
    session = await one_session(client, practice, class_id)
    clients = await many_clients(client, 103)
    for early in clients[:3]:
        assert (await enrol(client, early, session["id"]))["status"] == "enrolled"

    answers = await asyncio.gather(
        *(client.post(f"/api/v1/classes/sessions/{session['id']}/enrol", headers=h) for h in clients[3:])
    )

    assert Counter(a.status_code for a in answers) == {201: 100}
    statuses = Counter(a.json()["status"] for a in answers)
    assert statuses == {"enrolled": 5, "waitlisted": 95}
    positions = sorted(a.json()["position"] for a in answers if a.json()["status"] == "waitlisted")
    assert positions == list(range(1, 96))
    assert await seats_taken(session["id"]) == 8
    assert await Enrolment.count().where(Enrolment.status == "enrolled") == 8
    listed = (await client.get(f"/api/v1/classes/{class_id}/sessions")).json()["items"]
    assert [(s["id"], s["capacity"], s["seats_left"]) for s in listed] == [(session["id"], 8, 0)]


async def test_a_weekly_rrule_keeps_six_in_the_evening_paris_time_across_the_dst_change(
    client: httpx.AsyncClient,
) -> None:
    practice, class_id = await open_class(client)
    year = date.today().year + 1
    last_sunday_of_march = max(date(year, 3, d) for d in range(25, 32) if date(year, 3, d).weekday() == 6)
    first = datetime.combine(last_sunday_of_march - timedelta(days=13), datetime.min.time(), tzinfo=PARIS).replace(
        hour=18
    )

    created = await client.post(
        f"/api/v1/me/classes/{class_id}/sessions",
        headers=bearer(practice.tokens),
        json={"first_starts_at": first.isoformat(), "rrule": "FREQ=WEEKLY;COUNT=4;BYDAY=MO"},
    )

    assert created.status_code == 201, created.text
    starts = [datetime.fromisoformat(s["starts_at"]) for s in created.json()]
    assert [s.astimezone(PARIS).strftime("%a %H:%M") for s in starts] == ["Mon 18:00"] * 4
    assert [s.astimezone(UTC).hour for s in starts] == [17, 17, 16, 16]
    assert [b - a for a, b in pairwise(starts)] == [
        timedelta(days=7),
        timedelta(days=7) - timedelta(hours=1),
        timedelta(days=7),
    ]
    listed = (await client.get(f"/api/v1/classes/{class_id}/sessions")).json()["items"]
    assert [s["id"] for s in listed] == [s["id"] for s in created.json()]


async def test_upcoming_sessions_come_a_page_at_a_time(client: httpx.AsyncClient) -> None:
    practice, class_id = await open_class(client)
    created = await client.post(
        f"/api/v1/me/classes/{class_id}/sessions",
        headers=bearer(practice.tokens),
        json={"first_starts_at": in_days(2, hour=6).isoformat(), "rrule": "FREQ=DAILY;COUNT=60"},
    )
    assert created.status_code == 201, created.text

    first = (await client.get(f"/api/v1/classes/{class_id}/sessions")).json()
    rest = (await client.get(f"/api/v1/classes/{class_id}/sessions", params={"cursor": first["next_cursor"]})).json()

    assert len(first["items"]) == 50
    assert rest["next_cursor"] is None
    assert [s["id"] for s in first["items"] + rest["items"]] == [s["id"] for s in created.json()]
    garbage = await client.get(f"/api/v1/classes/{class_id}/sessions", params={"cursor": "not-a-cursor"})
    assert_problem(garbage, 422, "validation")


async def test_a_session_over_a_consultation_is_refused_and_writes_nothing(client: httpx.AsyncClient) -> None:
    practice, class_id = await open_class(client)
    ada = await signed_in(client, "ada@example.org")
    slot = (await free_slots(client, practice))[0]
    booked = await client.post(
        "/api/v1/bookings",
        headers=bearer(ada),
        json={"offering_id": practice.offering_id, "starts_at": slot["starts_at"]},
    )
    assert booked.status_code == 201, booked.text
    overlapping = datetime.fromisoformat(slot["starts_at"]) - timedelta(minutes=30)

    refused = await client.post(
        f"/api/v1/me/classes/{class_id}/sessions",
        headers=bearer(practice.tokens),
        json={"starts_at": overlapping.isoformat()},
    )

    assert_problem(refused, 409, "session-overlaps")
    assert await ClassSession.count() == 0
    assert await Booking.count() == 1


async def test_class_time_is_no_longer_offered_for_consultations(client: httpx.AsyncClient) -> None:
    practice, class_id = await open_class(client)
    slot = (await free_slots(client, practice))[0]

    await one_session(client, practice, class_id, starts_at=slot["starts_at"])

    assert slot not in await free_slots(client, practice)


async def test_a_freed_seat_goes_to_the_first_waiter_who_accepts_it(
    client: httpx.AsyncClient, clock: OffsetClock
) -> None:
    practice, class_id = await open_class(client, capacity=1)
    session = await one_session(client, practice, class_id)
    ada, bea, cyd, dan = await many_clients(client, 4)
    assert (await enrol(client, ada, session["id"]))["status"] == "enrolled"
    assert (await enrol(client, bea, session["id"]))["position"] == 1
    assert (await enrol(client, cyd, session["id"]))["position"] == 2
    twice = await client.post(f"/api/v1/classes/sessions/{session['id']}/enrol", headers=bea)
    assert_problem(twice, 409, "already-enrolled")

    left = await client.post(f"/api/v1/classes/sessions/{session['id']}/leave", headers=ada)

    assert left.status_code == 200, left.text
    assert left.json()["status"] == "cancelled"
    offered = await place(client, bea, session["id"])
    assert offered["status"] == "offered"
    expires = datetime.fromisoformat(offered["offer_expires_at"])
    assert timedelta(minutes=119) < expires - clock.now() <= timedelta(hours=2)
    assert (await place(client, cyd, session["id"]))["position"] == 1
    newcomer = await enrol(client, dan, session["id"])
    assert (newcomer["status"], newcomer["position"]) == ("waitlisted", 2)
    assert_problem(await client.post(f"/api/v1/classes/sessions/{session['id']}/accept", headers=cyd), 409)

    roster = await client.get(
        f"/api/v1/me/classes/sessions/{session['id']}/enrolments", headers=bearer(practice.tokens)
    )
    assert [(p["status"], p["position"]) for p in roster.json()] == [
        ("offered", None),
        ("waitlisted", 1),
        ("waitlisted", 2),
    ]
    assert {p["client_name"] for p in roster.json()} == {"Test Person"}  # the roster names its people

    accepted = await client.post(f"/api/v1/classes/sessions/{session['id']}/accept", headers=bea)

    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "enrolled"
    assert await seats_taken(session["id"]) == 1
    topics = [row["topic"] for row in await OutboxEvent.select(OutboxEvent.topic).order_by(OutboxEvent.id)]
    assert [t for t in topics if t.startswith("classes.")] == [
        "classes.session_scheduled",
        "classes.enrolled",
        "classes.waitlisted",
        "classes.waitlisted",
        "classes.left",
        "classes.seat_offered",
        "classes.waitlisted",
        "classes.enrolled",
    ]


async def test_one_client_enrolling_twice_at_once_gets_one_place(client: httpx.AsyncClient) -> None:
    practice, class_id = await open_class(client, capacity=3)
    session = await one_session(client, practice, class_id)
    (ada,) = await many_clients(client, 1)

    answers = await asyncio.gather(
        *(client.post(f"/api/v1/classes/sessions/{session['id']}/enrol", headers=ada) for _ in range(10))
    )

    assert sorted(Counter(a.status_code for a in answers).items()) == [(201, 1), (409, 9)]
    assert await seats_taken(session["id"]) == 1
    assert await Enrolment.count() == 1
    own = await client.post(f"/api/v1/classes/sessions/{session['id']}/enrol", headers=bearer(practice.tokens))
    assert_problem(own, 422, "validation")


async def test_a_lapsed_offer_passes_to_the_next_waiter(
    client: httpx.AsyncClient, runtime: Runtime, clock: OffsetClock
) -> None:
    practice, class_id = await open_class(client, capacity=1)
    session = await one_session(client, practice, class_id)
    ada, bea, cyd = await many_clients(client, 3)
    await enrol(client, ada, session["id"])
    await enrol(client, bea, session["id"])
    await enrol(client, cyd, session["id"])
    await client.post(f"/api/v1/classes/sessions/{session['id']}/leave", headers=ada)
    assert (await place(client, bea, session["id"]))["status"] == "offered"

    clock.advance(timedelta(hours=2, minutes=1))
    await expire_offers({"runtime": runtime})

    bea, cyd = [bearer(await login(client, f"client{i}@example.org")) for i in (1, 2)]  # tokens expired meanwhile
    assert (await place(client, bea, session["id"]))["status"] == "expired"
    assert (await place(client, cyd, session["id"]))["status"] == "offered"
    late = await client.post(f"/api/v1/classes/sessions/{session['id']}/accept", headers=bea)
    assert_problem(late, 409, "no-seat-offered")
    taken = await client.post(f"/api/v1/classes/sessions/{session['id']}/accept", headers=cyd)
    assert taken.status_code == 200, taken.text
    assert await seats_taken(session["id"]) == 1


async def test_the_last_lapsed_offer_frees_the_seat_for_anyone(
    client: httpx.AsyncClient, runtime: Runtime, clock: OffsetClock
) -> None:
    practice, class_id = await open_class(client, capacity=1)
    session = await one_session(client, practice, class_id)
    ada, bea = await many_clients(client, 2)
    await enrol(client, ada, session["id"])
    await enrol(client, bea, session["id"])
    await client.post(f"/api/v1/classes/sessions/{session['id']}/leave", headers=ada)

    clock.advance(timedelta(hours=3))
    await expire_offers({"runtime": runtime})

    assert await seats_taken(session["id"]) == 0
    eve = await signed_in(client, "eve@example.org")
    assert (await enrol(client, bearer(eve), session["id"]))["status"] == "enrolled"


async def test_cancelling_a_session_ends_every_place_and_frees_the_time(client: httpx.AsyncClient) -> None:
    practice, class_id = await open_class(client, capacity=1)
    slot = (await free_slots(client, practice))[0]
    session = await one_session(client, practice, class_id, starts_at=slot["starts_at"])
    ada, bea = await many_clients(client, 2)
    await enrol(client, ada, session["id"])
    await enrol(client, bea, session["id"])

    cancelled = await client.post(
        f"/api/v1/me/classes/sessions/{session['id']}/cancel", headers=bearer(practice.tokens)
    )

    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    assert {(await place(client, h, session["id"]))["status"] for h in (ada, bea)} == {"cancelled"}
    assert (await client.get(f"/api/v1/classes/{class_id}/sessions")).json()["items"] == []
    mine = await client.get(f"/api/v1/me/classes/{class_id}/sessions", headers=bearer(practice.tokens))
    assert [(s["id"], s["status"]) for s in mine.json()["items"]] == [(session["id"], "cancelled")]
    assert slot in await free_slots(client, practice)
    assert_problem(await client.post(f"/api/v1/classes/sessions/{session['id']}/enrol", headers=ada), 409)
    again = await client.post(f"/api/v1/me/classes/sessions/{session['id']}/cancel", headers=bearer(practice.tokens))
    assert_problem(again, 409, "session-closed")
    topics = Counter(row["topic"] for row in await OutboxEvent.select(OutboxEvent.topic))
    assert topics["classes.session_cancelled"] == 1
    assert topics["classes.enrolment_cancelled"] == 2


async def test_another_professionals_class_and_session_are_not_found(client: httpx.AsyncClient) -> None:
    practice, class_id = await open_class(client)
    session = await one_session(client, practice, class_id)
    rival, rival_class = await open_class(client, "rival@example.org")
    ada = bearer(await signed_in(client, "ada@example.org"))

    foreign_class = await client.post(
        f"/api/v1/me/classes/{class_id}/sessions",
        headers=bearer(rival.tokens),
        json={"starts_at": in_days(6).isoformat()},
    )
    foreign_cancel = await client.post(
        f"/api/v1/me/classes/sessions/{session['id']}/cancel", headers=bearer(rival.tokens)
    )

    assert_problem(foreign_class, 404, "not-found")
    assert_problem(await client.get(f"/api/v1/me/classes/{class_id}/sessions", headers=bearer(rival.tokens)), 404)
    foreign_roster = await client.get(
        f"/api/v1/me/classes/sessions/{session['id']}/enrolments", headers=bearer(rival.tokens)
    )
    assert_problem(foreign_roster, 404)
    assert_problem(foreign_cancel, 404, "not-found")
    assert_problem(await client.post(f"/api/v1/me/classes/sessions/{session['id']}/cancel", headers=ada), 403)
    assert_problem(await client.post(f"/api/v1/classes/sessions/{rival_class}/enrol", headers=ada), 404)
    assert_problem(await client.post(f"/api/v1/classes/sessions/{session['id']}/leave", headers=ada), 404)
    assert_problem(await client.get(f"/api/v1/classes/{practice.offering_id}/sessions"), 404)
    assert await ClassSession.count() == 1
    assert (await client.get(f"/api/v1/classes/{class_id}/sessions")).json()["items"][0]["seats_left"] == 5


async def test_bad_session_requests_are_refused_and_write_nothing(
    client: httpx.AsyncClient, clock: OffsetClock
) -> None:
    practice, class_id = await open_class(client)
    soon = in_days(5).isoformat()
    yesterday = (clock.now() - timedelta(days=1)).isoformat()
    bad: list[tuple[dict[str, Any], str]] = [
        ({"first_starts_at": soon, "rrule": "EVERY MONDAY PLEASE"}, "rrule"),
        ({"first_starts_at": soon, "rrule": "FREQ=WEEKLY;BYDAY=XX;COUNT=3"}, "rrule"),
        ({"first_starts_at": soon, "rrule": "FREQ=WEEKLY;COUNT=500"}, "rrule"),
        ({"first_starts_at": soon, "rrule": "FREQ=DAILY"}, "rrule"),
        ({"first_starts_at": soon, "rrule": "FREQ=SECONDLY;COUNT=3"}, "rrule"),
        ({"first_starts_at": soon}, "rrule"),
        ({"starts_at": soon, "capacity": 100_000}, "capacity"),
        ({"starts_at": soon, "capacity": 0}, "capacity"),
        ({"starts_at": (clock.now() - timedelta(hours=1)).isoformat()}, "starts_at"),
        ({"first_starts_at": yesterday, "rrule": "FREQ=DAILY;COUNT=3"}, "first_starts_at"),
        ({"starts_at": "2027-01-01T10:00:00"}, "starts_at"),
        ({}, "starts_at"),
        ({"starts_at": soon, "rrule": "FREQ=DAILY;COUNT=2"}, "starts_at"),
        ({"starts_at": "9999-12-31T23:30:00Z"}, "starts_at"),  # its end would overflow
        ({"first_starts_at": "9999-12-31T23:30:00Z", "rrule": "FREQ=DAILY;COUNT=2"}, "first_starts_at"),
    ]
    for body, field in bad:
        response = await client.post(
            f"/api/v1/me/classes/{class_id}/sessions", headers=bearer(practice.tokens), json=body
        )
        problem = assert_problem(response, 422, "validation")
        assert field in str(problem["errors"]), (body, problem)
    consultation = await client.post(
        f"/api/v1/me/classes/{practice.offering_id}/sessions", headers=bearer(practice.tokens), json={"starts_at": soon}
    )
    assert_problem(consultation, 422, "validation")
    assert await nothing_scheduled()


async def test_a_client_lists_their_places_in_sessions_to_come(client: httpx.AsyncClient) -> None:
    practice, class_id = await open_class(client, capacity=1)
    later = await one_session(client, practice, class_id, starts_at=in_days(6).isoformat())
    sooner = await one_session(client, practice, class_id)
    first = bearer(await signed_in(client, "first@example.org"))
    second = bearer(await signed_in(client, "second@example.org"))
    await enrol(client, first, sooner["id"])
    await enrol(client, second, sooner["id"])  # full: second waits
    await enrol(client, second, later["id"])

    listed = await client.get("/api/v1/me/enrolments", headers=second)
    assert listed.status_code == 200, listed.text
    items = listed.json()["items"]
    assert [(i["enrolment"]["session_id"], i["enrolment"]["status"]) for i in items] == [
        (sooner["id"], "waitlisted"),
        (later["id"], "enrolled"),
    ]
    assert items[0]["enrolment"]["position"] == 1
    assert {(i["title"], i["professional_name"], i["session_status"]) for i in items} == {
        ("Yoga", "Dr Example", "scheduled")
    }
    assert items[0]["starts_at"] == sooner["starts_at"]

    left = await client.post(f"/api/v1/classes/sessions/{later['id']}/leave", headers=second)
    assert left.status_code == 200, left.text
    mine = (await client.get("/api/v1/me/enrolments", headers=second)).json()["items"]
    assert [i["enrolment"]["session_id"] for i in mine] == [sooner["id"]]
    others = (await client.get("/api/v1/me/enrolments", headers=first)).json()["items"]
    assert [(i["enrolment"]["session_id"], i["enrolment"]["status"]) for i in others] == [(sooner["id"], "enrolled")]
    assert_problem(await client.get("/api/v1/me/enrolments"), 401)
