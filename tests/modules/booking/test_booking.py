"""Booking through the running app with real concurrent HTTP requests: nothing ever double-books."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any
from uuid import uuid4

import httpx
import msgspec
import pytest

from confer.core.clock import OffsetClock
from confer.core.runtime import Runtime
from confer.modules.booking.service import release_expired_holds
from confer.modules.booking.settings import BookingSettings
from confer.modules.booking.tables import Booking
from tests.support import assert_problem, bearer, login, signed_in

ALL_WEEK = [{"weekday": day, "start": "09:00", "end": "17:00"} for day in range(1, 8)]


class Practice:
    """A published professional with one consultation offering, open 09:00-17:00 every day."""

    def __init__(self, tokens: dict[str, Any], professional_id: str, offering_id: str) -> None:
        self.tokens = tokens
        self.id = professional_id
        self.offering_id = offering_id


async def open_practice(
    client: httpx.AsyncClient, email: str = "pro@example.org", *, zone: str = "Europe/Paris", **offering: Any
) -> Practice:
    tokens = await signed_in(client, email, role="professional")
    profile = await client.put(
        "/api/v1/me/professional",
        headers=bearer(tokens),
        json={
            "display_name": "Dr Example",
            "timezone": zone,
            "country": "FR",
            "specialties": ["psychology"],
            "languages": ["fr", "en"],
            "published": True,
        },
    )
    assert profile.status_code == 200, profile.text
    created = await client.post(
        "/api/v1/me/offerings",
        headers=bearer(tokens),
        json={
            "kind": "consultation",
            "title": "Consultation",
            "duration_minutes": 30,
            "price_minor": 0,
            "currency": "EUR",
            "slot_step_minutes": 30,
            **offering,
        },
    )
    assert created.status_code == 201, created.text
    rules = await client.put("/api/v1/me/availability/rules", headers=bearer(tokens), json=ALL_WEEK)
    assert rules.status_code == 200, rules.text
    return Practice(tokens, profile.json()["id"], created.json()["id"])


async def free_slots(
    client: httpx.AsyncClient, practice: Practice, *, offering_id: str | None = None, days: int = 3, tz: str = "UTC"
) -> list[dict[str, str]]:
    start = date.today() + timedelta(days=2)
    response = await client.get(
        f"/api/v1/professionals/{practice.id}/slots",
        params={
            "offering_id": offering_id or practice.offering_id,
            "from": start.isoformat(),
            "to": (start + timedelta(days=days - 1)).isoformat(),
            "tz": tz,
        },
    )
    assert response.status_code == 200, response.text
    slots: list[dict[str, str]] = response.json()["slots"]
    return slots


async def book(
    client: httpx.AsyncClient, headers: dict[str, str], practice: Practice, slot: dict[str, str]
) -> dict[str, Any]:
    """Book ``slot`` of the practice's offering; the booking must succeed."""
    answer = await client.post(
        "/api/v1/bookings", headers=headers, json={"offering_id": practice.offering_id, "starts_at": slot["starts_at"]}
    )
    assert answer.status_code == 201, answer.text
    booking: dict[str, Any] = answer.json()
    return booking


@pytest.fixture
def many_open_bookings(runtime: Runtime) -> Iterator[None]:
    """For tests that need one client to hold more bookings with one professional than the default cap allows."""
    before = runtime.module_settings["booking"]
    runtime.module_settings["booking"] = msgspec.structs.replace(
        runtime.section("booking", BookingSettings), max_open_per_client=1000
    )
    try:
        yield
    finally:
        runtime.module_settings["booking"] = before


async def many_clients(client: httpx.AsyncClient, count: int) -> list[dict[str, str]]:
    tokens = await asyncio.gather(*(signed_in(client, f"client{i}@example.org") for i in range(count)))
    return [bearer(t) for t in tokens]


async def test_a_client_books_a_free_slot_and_it_disappears(client: httpx.AsyncClient) -> None:
    practice = await open_practice(client)
    client_tokens = await signed_in(client, "ada@example.org")
    slots = await free_slots(client, practice, tz="America/New_York")
    assert slots
    assert all(s["starts_at"].endswith("Z") for s in slots)
    chosen = slots[0]
    booked = await client.post(
        "/api/v1/bookings",
        headers=bearer(client_tokens),
        json={"offering_id": practice.offering_id, "starts_at": chosen["starts_at"]},
    )
    assert booked.status_code == 201, booked.text
    assert booked.json()["status"] == "confirmed"
    assert chosen not in await free_slots(client, practice, tz="America/New_York")
    mine = (await client.get("/api/v1/bookings", headers=bearer(client_tokens))).json()
    assert [b["id"] for b in mine["items"]] == [booked.json()["id"]]
    for status, expected in (("confirmed", [booked.json()["id"]]), ("cancelled", [])):
        filtered = await client.get("/api/v1/bookings", params={"status": status}, headers=bearer(client_tokens))
        assert [b["id"] for b in filtered.json()["items"]] == expected
    theirs = (
        await client.get("/api/v1/bookings", params={"as": "professional"}, headers=bearer(practice.tokens))
    ).json()
    assert [(b["id"], b["client_name"]) for b in theirs["items"]] == [(booked.json()["id"], "Test Person")]


async def test_two_hundred_clients_racing_for_one_slot_get_exactly_one_booking(client: httpx.AsyncClient) -> None:
    practice = await open_practice(client)
    slot = (await free_slots(client, practice))[0]
    clients = await many_clients(client, 200)
    answers = await asyncio.gather(
        *(
            client.post(
                "/api/v1/bookings",
                headers=headers,
                json={"offering_id": practice.offering_id, "starts_at": slot["starts_at"]},
            )
            for headers in clients
        )
    )
    assert sorted(Counter(r.status_code for r in answers).items()) == [(201, 1), (409, 199)]
    assert all(r.json()["type"].endswith("/slot-unavailable") for r in answers if r.status_code == 409)
    assert await Booking.count().where(Booking.professional == practice.id) == 1


async def test_overlapping_requests_of_different_lengths_book_only_one(client: httpx.AsyncClient) -> None:
    practice = await open_practice(client, buffer_after_minutes=10)
    long_one = (
        await client.post(
            "/api/v1/me/offerings",
            headers=bearer(practice.tokens),
            json={
                "kind": "consultation",
                "title": "Long",
                "duration_minutes": 90,
                "price_minor": 0,
                "currency": "EUR",
                "slot_step_minutes": 30,
            },
        )
    ).json()["id"]
    short_slot = (await free_slots(client, practice))[2]  # 10:00 on the first day
    long_slot = (await free_slots(client, practice, offering_id=long_one))[0]  # 09:00-10:30 overlaps it
    clients = await many_clients(client, 40)
    answers = await asyncio.gather(
        *(
            client.post(
                "/api/v1/bookings",
                headers=headers,
                json={
                    "offering_id": long_one if i % 2 else practice.offering_id,
                    "starts_at": long_slot["starts_at"] if i % 2 else short_slot["starts_at"],
                },
            )
            for i, headers in enumerate(clients)
        )
    )
    assert Counter(r.status_code for r in answers)[201] == 1
    overlapping = await Booking.raw(
        "SELECT count(*) AS n FROM booking a JOIN booking b ON a.professional = b.professional AND a.id < b.id "
        "AND tstzrange(a.blocked_from, a.blocked_until) && tstzrange(b.blocked_from, b.blocked_until) "
        "WHERE a.status IN ('held','pending_payment','confirmed') "
        "AND b.status IN ('held','pending_payment','confirmed')"
    )
    assert overlapping == [{"n": 0}]


async def test_two_reschedules_into_one_slot_move_only_one_booking(client: httpx.AsyncClient) -> None:
    practice = await open_practice(client)
    slots = await free_slots(client, practice)
    first, second = await many_clients(client, 2)
    one = await book(client, first, practice, slots[0])
    two = await book(client, second, practice, slots[1])
    target = slots[5]["starts_at"]
    answers = await asyncio.gather(
        client.post(f"/api/v1/bookings/{one['id']}/reschedule", headers=first, json={"starts_at": target}),
        client.post(f"/api/v1/bookings/{two['id']}/reschedule", headers=second, json={"starts_at": target}),
    )
    assert sorted(r.status_code for r in answers) == [200, 409]
    moved = next(r.json() for r in answers if r.status_code == 200)
    assert moved["starts_at"] == target
    stayed = next(b for b in (one, two) if b["id"] != moved["id"])
    rows = await Booking.select(Booking.starts_at).where(Booking.id == stayed["id"])
    assert rows[0]["starts_at"].isoformat().replace("+00:00", "Z") == stayed["starts_at"]
    # The moved booking's old time is free again.
    assert any(s["starts_at"] in (one["starts_at"], two["starts_at"]) for s in await free_slots(client, practice))


async def test_the_exclusion_constraint_exists_in_the_migrated_database(runtime: Runtime) -> None:
    rows = await Booking.raw(
        "SELECT contype::text AS contype, pg_get_constraintdef(oid) AS definition FROM pg_constraint "
        "WHERE conname = 'booking_no_overlap'"
    )
    assert rows[0]["contype"] == "x"
    definition = rows[0]["definition"]
    assert "EXCLUDE USING gist" in definition
    assert "tstzrange(blocked_from, blocked_until, '[)'::text) WITH &&" in definition
    assert "'held'" in definition
    assert "'pending_payment'" in definition
    assert "'confirmed'" in definition


async def test_an_idempotency_key_replays_the_first_answer_even_under_concurrency(client: httpx.AsyncClient) -> None:
    practice = await open_practice(client)
    slots = await free_slots(client, practice)
    headers = {**bearer(await signed_in(client, "retry@example.org")), "Idempotency-Key": "booking-attempt-1"}
    answers = await asyncio.gather(
        *(
            client.post(
                "/api/v1/bookings",
                headers=headers,
                json={"offering_id": practice.offering_id, "starts_at": slots[0]["starts_at"]},
            )
            for _ in range(10)
        )
    )
    assert {r.status_code for r in answers} == {201}
    assert len({r.json()["id"] for r in answers}) == 1
    assert await Booking.count() == 1


async def test_cancellation_follows_the_policy_and_happens_once(client: httpx.AsyncClient, clock: OffsetClock) -> None:
    practice = await open_practice(client, cancellation_free_hours=24, late_cancellation_refund_percent=50)
    slots = await free_slots(client, practice)
    guest = bearer(await signed_in(client, "guest@example.org"))
    early = await book(client, guest, practice, slots[0])
    late = await book(client, guest, practice, slots[1])
    by_pro = await book(client, guest, practice, slots[2])

    cancelled = await client.post(f"/api/v1/bookings/{early['id']}/cancel", headers=guest, json={"reason": "ill"})
    assert (cancelled.status_code, cancelled.json()["refund_percent"]) == (200, 100)
    starts = datetime.fromisoformat(late["starts_at"])
    clock.advance(starts - clock.now() - timedelta(hours=2))  # two hours before it starts
    guest = bearer(await login(client, "guest@example.org"))  # the earlier access token has expired by then
    practice.tokens = await login(client, "pro@example.org")
    late_cancel = await client.post(f"/api/v1/bookings/{late['id']}/cancel", headers=guest, json={})
    assert late_cancel.json()["refund_percent"] == 50
    pro_cancel = await client.post(
        f"/api/v1/bookings/{by_pro['id']}/cancel", headers=bearer(practice.tokens), json={"reason": "emergency"}
    )
    assert pro_cancel.json()["refund_percent"] == 100
    again = await client.post(f"/api/v1/bookings/{early['id']}/cancel", headers=guest, json={})
    assert_problem(again, 409, "booking-not-active")


async def test_an_unpaid_hold_expires_and_frees_its_slot(
    client: httpx.AsyncClient, clock: OffsetClock, runtime: Runtime
) -> None:
    practice = await open_practice(client, price_minor=6000)
    slot = (await free_slots(client, practice))[0]
    held = await client.post(
        "/api/v1/bookings",
        headers=bearer(await signed_in(client, "slow@example.org")),
        json={"offering_id": practice.offering_id, "starts_at": slot["starts_at"]},
    )
    assert held.json()["status"] == "pending_payment"
    assert slot not in await free_slots(client, practice)
    assert await release_expired_holds({"runtime": runtime}) == 0
    clock.advance(timedelta(minutes=16))
    assert await release_expired_holds({"runtime": runtime}) == 1
    assert slot in await free_slots(client, practice)


async def test_another_persons_booking_offering_or_practice_is_not_found(client: httpx.AsyncClient) -> None:
    practice = await open_practice(client)
    other_practice = await open_practice(client, "other-pro@example.org")
    slot = (await free_slots(client, practice))[0]
    owner = bearer(await signed_in(client, "owner@example.org"))
    stranger = bearer(await signed_in(client, "stranger@example.org"))
    booking = await book(client, owner, practice, slot)
    for attempt in (
        client.post(f"/api/v1/bookings/{booking['id']}/cancel", headers=stranger, json={}),
        client.post(
            f"/api/v1/bookings/{booking['id']}/reschedule", headers=stranger, json={"starts_at": slot["starts_at"]}
        ),
        client.post(f"/api/v1/bookings/{booking['id']}/cancel", headers=bearer(other_practice.tokens), json={}),
        client.get(
            f"/api/v1/professionals/{other_practice.id}/slots",
            params={"offering_id": practice.offering_id, "from": "2026-12-01", "to": "2026-12-02"},
        ),
    ):
        assert_problem(await attempt, 404, "not-found")
    assert [b["id"] for b in (await client.get("/api/v1/bookings", headers=stranger)).json()["items"]] == []
    mine = (await client.get("/api/v1/me/offerings", headers=bearer(other_practice.tokens))).json()
    assert practice.offering_id not in [o["id"] for o in mine]
    hidden = await open_practice(client, "hidden@example.org")
    await client.put(
        "/api/v1/me/professional",
        headers=bearer(hidden.tokens),
        json={"display_name": "Hidden", "timezone": "UTC", "country": "DE", "published": False},
    )
    assert_problem(await client.get(f"/api/v1/professionals/{hidden.id}"), 404)
    assert (await client.get(f"/api/v1/professionals/{practice.id}")).json()["offerings"][0]["id"] == (
        practice.offering_id
    )


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (
            "/api/v1/me/offerings",
            {"kind": "consultation", "title": "x", "duration_minutes": 30, "price_minor": -1, "currency": "EUR"},
            "price_minor",
        ),
        (
            "/api/v1/me/offerings",
            {"kind": "consultation", "title": "x", "duration_minutes": 30, "price_minor": 0, "currency": "euro"},
            "currency",
        ),
        (
            "/api/v1/me/availability/overrides",
            {"date": "2026-12-24", "intervals": [{"start": "12:00", "end": "10:00"}]},
            "intervals[0]",
        ),
        ("/api/v1/me/time-off", {"starts_at": "2026-12-24T10:00:00Z", "ends_at": "2026-12-24T09:00:00Z"}, "ends_at"),
        ("/api/v1/me/time-off", {"starts_at": "2026-12-24T10:00:00", "ends_at": "2026-12-25T09:00:00Z"}, "starts_at"),
    ],
)
async def test_bad_practice_input_is_refused_and_writes_nothing(
    client: httpx.AsyncClient, path: str, body: dict[str, Any], field: str
) -> None:
    practice = await open_practice(client)
    before = (await client.get("/api/v1/me/offerings", headers=bearer(practice.tokens))).json()
    problem = assert_problem(await client.post(path, headers=bearer(practice.tokens), json=body), 422, "validation")
    assert field in " ".join(e["field"] for e in problem["errors"]), problem
    assert (await client.get("/api/v1/me/offerings", headers=bearer(practice.tokens))).json() == before


async def test_bad_slot_and_booking_requests_are_refused(client: httpx.AsyncClient) -> None:
    practice = await open_practice(client)
    slot = (await free_slots(client, practice))[0]
    guest = bearer(await signed_in(client, "picky@example.org"))
    base = f"/api/v1/professionals/{practice.id}/slots"
    for params, field in [
        ({"from": "2026-12-10", "to": "2026-12-01"}, "to"),
        ({"from": "2026-12-01", "to": "2027-12-31"}, "to"),
        ({"from": "2026-12-01", "to": "2026-12-02", "tz": "Mars/Base"}, "tz"),
        ({"from": "0001-01-01", "to": "0001-01-01"}, "from"),
        ({"from": "2026-12-01", "to": "9999-12-31"}, "to"),
    ]:
        problem = assert_problem(await client.get(base, params={"offering_id": practice.offering_id, **params}), 422)
        assert problem["errors"][0]["field"] == field
    off_grid = (datetime.fromisoformat(slot["starts_at"]) + timedelta(minutes=7)).isoformat()
    night = (datetime.fromisoformat(slot["starts_at"]) - timedelta(hours=6)).isoformat()
    for starts_at in (off_grid, night, "2020-01-01T09:00:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:30:00Z"):
        problem = assert_problem(
            await client.post(
                "/api/v1/bookings", headers=guest, json={"offering_id": practice.offering_id, "starts_at": starts_at}
            ),
            422,
            "validation",
        )
        assert problem["errors"][0]["field"] == "starts_at"
    own = await client.post(
        "/api/v1/bookings",
        headers=bearer(practice.tokens),
        json={"offering_id": practice.offering_id, "starts_at": slot["starts_at"]},
    )
    assert_problem(own, 422)
    assert await Booking.count() == 0


async def test_only_professionals_publish_a_practice(client: httpx.AsyncClient) -> None:
    tokens = await signed_in(client, "just-a-client@example.org")
    attempt = await client.put(
        "/api/v1/me/professional",
        headers=bearer(tokens),
        json={"display_name": "Me", "timezone": "UTC", "country": "GB"},
    )
    assert_problem(attempt, 403, "forbidden")


async def test_a_booking_needing_approval_waits_for_the_professional_then_completes(
    client: httpx.AsyncClient, clock: OffsetClock
) -> None:
    practice = await open_practice(client, requires_approval=True)
    slot = (await free_slots(client, practice))[0]
    guest = bearer(await signed_in(client, "patient@example.org"))
    held = await book(client, guest, practice, slot)
    assert held["status"] == "held"
    approval_window = datetime.fromisoformat(held["hold_expires_at"]) - datetime.fromisoformat(held["created_at"])
    assert approval_window == timedelta(hours=24)  # the professional has a day to answer
    assert_problem(await client.post(f"/api/v1/bookings/{held['id']}/confirm", headers=guest), 403, "forbidden")
    confirmed = await client.post(f"/api/v1/bookings/{held['id']}/confirm", headers=bearer(practice.tokens))
    assert confirmed.json()["status"] == "confirmed"
    assert_problem(
        await client.post(f"/api/v1/bookings/{held['id']}/confirm", headers=bearer(practice.tokens)),
        409,
        "booking-not-active",
    )
    too_early = await client.post(f"/api/v1/bookings/{held['id']}/complete", headers=bearer(practice.tokens))
    assert_problem(too_early, 409)
    clock.advance(datetime.fromisoformat(held["ends_at"]) - clock.now() + timedelta(minutes=1))
    pro = bearer(await login(client, "pro@example.org"))
    assert (await client.post(f"/api/v1/bookings/{held['id']}/complete", headers=pro)).json()["status"] == "completed"


@pytest.mark.usefixtures("many_open_bookings")
async def test_bookings_are_listed_a_page_at_a_time_without_gaps_or_repeats(client: httpx.AsyncClient) -> None:
    practice = await open_practice(client)
    slots = (await free_slots(client, practice, days=5))[:55]
    regular = bearer(await signed_in(client, "regular@example.org"))
    for slot in slots:
        booked = await client.post(
            "/api/v1/bookings",
            headers=regular,
            json={"offering_id": practice.offering_id, "starts_at": slot["starts_at"]},
        )
        assert booked.status_code == 201
    first = (await client.get("/api/v1/bookings", headers=regular)).json()
    assert len(first["items"]) == 50
    second = (await client.get("/api/v1/bookings", params={"cursor": first["next_cursor"]}, headers=regular)).json()
    assert second["next_cursor"] is None
    starts = [b["starts_at"] for b in first["items"] + second["items"]]
    assert starts == [s["starts_at"] for s in slots]
    assert_problem(await client.get("/api/v1/bookings", params={"cursor": "not-ours"}, headers=regular), 422)


async def test_time_the_professional_blocks_for_a_class_is_busy_but_not_a_booking(client: httpx.AsyncClient) -> None:
    practice = await open_practice(client, max_per_day=1)
    slots = await free_slots(client, practice)
    starts = datetime.fromisoformat(slots[0]["starts_at"])
    block_id = uuid4()
    await Booking.insert(
        Booking(
            id=block_id,
            offering=practice.offering_id,
            professional=practice.id,
            client=practice.id,
            starts_at=starts,
            ends_at=starts + timedelta(minutes=30),
            blocked_from=starts,
            blocked_until=starts + timedelta(minutes=30),
            status="confirmed",
            created_at=starts,
            updated_at=starts,
        )
    ).run()
    after = [s["starts_at"] for s in await free_slots(client, practice)]
    assert slots[0]["starts_at"] not in after
    # The block does not use up the day's one booking, and the professional cannot cancel it as a booking.
    assert [s for s in after if s[:10] == slots[0]["starts_at"][:10]] == [
        s["starts_at"] for s in slots[1:] if s["starts_at"][:10] == slots[0]["starts_at"][:10]
    ]
    pro = bearer(practice.tokens)
    assert (await client.get("/api/v1/bookings", params={"as": "professional"}, headers=pro)).json()["items"] == []
    assert_problem(await client.post(f"/api/v1/bookings/{block_id}/cancel", headers=pro, json={}), 404)
