"""The limits and terms a booking lives under, through the running app: a day's cap and a client's open bookings
hold under concurrent requests, a late move keeps the late-cancellation terms, and an Idempotency-Key belongs to
one request."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

import httpx

from confer.core.clock import OffsetClock
from confer.modules.booking.tables import Booking
from tests.modules.booking.test_booking import book, free_slots, many_clients, open_practice
from tests.support import assert_problem, bearer, login, signed_in

BOOKINGS = "/api/v1/bookings"


def on_day(slots: list[dict[str, str]], day: str) -> list[str]:
    return [s["starts_at"] for s in slots if s["starts_at"][:10] == day]


async def active_bookings() -> int:
    return await Booking.count().where(Booking.status.is_in(["held", "pending_payment", "confirmed"]))


async def test_a_one_a_day_offering_offers_every_free_time_until_that_day_is_booked(client: httpx.AsyncClient) -> None:
    practice = await open_practice(client, max_per_day=1)
    slots = await free_slots(client, practice)
    first_day, second_day = slots[0]["starts_at"][:10], slots[-1]["starts_at"][:10]
    assert len(on_day(slots, first_day)) == 16  # 09:00 to 17:00 in 30-minute slots, every one of them offered
    guest = bearer(await signed_in(client, "guest@example.org"))
    await book(client, guest, practice, {"starts_at": on_day(slots, first_day)[7]})
    after = await free_slots(client, practice)
    assert on_day(after, first_day) == []  # the day has its one booking
    assert on_day(after, second_day) == on_day(slots, second_day)


async def test_twenty_four_clients_racing_for_a_one_a_day_offering_get_one_booking(client: httpx.AsyncClient) -> None:
    practice = await open_practice(client, max_per_day=1, duration_minutes=15, slot_step_minutes=15)
    slots = await free_slots(client, practice)
    times = on_day(slots, slots[0]["starts_at"][:10])[:24]
    assert len(times) == 24  # every free time of the day is there to choose from
    clients = await many_clients(client, 24)
    answers = await asyncio.gather(
        *(
            client.post(BOOKINGS, headers=headers, json={"offering_id": practice.offering_id, "starts_at": starts})
            for headers, starts in zip(clients, times, strict=True)
        )
    )
    assert Counter(r.status_code for r in answers) == {201: 1, 409: 23}
    for refused in (r for r in answers if r.status_code == 409):
        assert_problem(refused, 409, "day-fully-booked")
    assert await active_bookings() == 1


async def test_a_client_racing_for_many_bookings_with_one_professional_gets_the_cap(client: httpx.AsyncClient) -> None:
    practice = await open_practice(client)
    other = await open_practice(client, "other@example.org")
    slots = await free_slots(client, practice)
    hoarder = bearer(await signed_in(client, "hoarder@example.org"))
    answers = await asyncio.gather(
        *(
            client.post(
                BOOKINGS, headers=hoarder, json={"offering_id": practice.offering_id, "starts_at": s["starts_at"]}
            )
            for s in slots[:12]
        )
    )
    assert Counter(r.status_code for r in answers) == {201: 5, 409: 7}  # the default cap: 5 open bookings
    for refused in (r for r in answers if r.status_code == 409):
        assert_problem(refused, 409, "too-many-open-bookings")
    assert await active_bookings() == 5
    # The cap is per professional, and a cancelled booking no longer counts.
    await book(client, hoarder, other, (await free_slots(client, other))[0])
    kept = next(r.json() for r in answers if r.status_code == 201)
    assert (await client.post(f"{BOOKINGS}/{kept['id']}/cancel", headers=hoarder, json={})).status_code == 200
    free = [s for s in await free_slots(client, practice) if s["starts_at"] != kept["starts_at"]]
    await book(client, hoarder, practice, free[0])


async def test_a_late_reschedule_keeps_the_late_cancellation_terms(
    client: httpx.AsyncClient, clock: OffsetClock
) -> None:
    practice = await open_practice(client, cancellation_free_hours=24, late_cancellation_refund_percent=40)
    slots = await free_slots(client, practice, days=5)
    guest = bearer(await signed_in(client, "guest@example.org"))
    early_mover = await book(client, guest, practice, slots[0])
    late_mover = await book(client, guest, practice, slots[1])
    # Moved while still outside the late window: the terms follow the new time.
    later = slots[-1]["starts_at"]
    moved = await client.post(f"{BOOKINGS}/{early_mover['id']}/reschedule", headers=guest, json={"starts_at": later})
    assert moved.status_code == 200, moved.text
    clock.advance(datetime.fromisoformat(late_mover["starts_at"]) - datetime.now(UTC) - timedelta(hours=2))
    guest = bearer(await login(client, "guest@example.org"))
    # Two hours before it starts, the client moves it days away, then cancels: still a late cancellation.
    late_target = slots[-2]["starts_at"]
    moved = await client.post(
        f"{BOOKINGS}/{late_mover['id']}/reschedule", headers=guest, json={"starts_at": late_target}
    )
    assert moved.status_code == 200, moved.text
    assert datetime.fromisoformat(moved.json()["starts_at"]) - clock.now() > timedelta(hours=24)
    cancelled = await client.post(f"{BOOKINGS}/{late_mover['id']}/cancel", headers=guest, json={})
    assert cancelled.json()["refund_percent"] == 40
    cancelled = await client.post(f"{BOOKINGS}/{early_mover['id']}/cancel", headers=guest, json={})
    assert cancelled.json()["refund_percent"] == 100


async def test_a_booking_that_has_started_or_ended_cannot_be_moved(
    client: httpx.AsyncClient, clock: OffsetClock
) -> None:
    practice = await open_practice(client)
    slots = await free_slots(client, practice, days=5)
    guest = bearer(await signed_in(client, "guest@example.org"))
    started = await book(client, guest, practice, slots[0])
    ended = await book(client, guest, practice, slots[1])
    for overflowing in ("9999-12-31T23:30:00Z", "0001-01-01T00:00:00Z"):
        moved = await client.post(
            f"{BOOKINGS}/{started['id']}/reschedule", headers=guest, json={"starts_at": overflowing}
        )
        assert assert_problem(moved, 422, "validation")["errors"][0]["field"] == "starts_at"
    clock.advance(datetime.fromisoformat(started["starts_at"]) - datetime.now(UTC) + timedelta(minutes=5))
    guest = bearer(await login(client, "guest@example.org"))
    target = {"starts_at": slots[-1]["starts_at"]}
    assert_problem(
        await client.post(f"{BOOKINGS}/{started['id']}/reschedule", headers=guest, json=target), 409, "booking-started"
    )
    clock.advance(timedelta(hours=2))
    guest = bearer(await login(client, "guest@example.org"))
    assert_problem(
        await client.post(f"{BOOKINGS}/{ended['id']}/reschedule", headers=guest, json=target), 409, "booking-started"
    )
    rows = await Booking.select(Booking.id, Booking.starts_at).order_by(Booking.starts_at)
    assert [(str(r["id"]), r["starts_at"]) for r in rows] == [
        (started["id"], datetime.fromisoformat(started["starts_at"])),
        (ended["id"], datetime.fromisoformat(ended["starts_at"])),
    ]


async def test_an_idempotency_key_reused_with_another_body_is_refused(client: httpx.AsyncClient) -> None:
    practice = await open_practice(client)
    slots = await free_slots(client, practice)
    headers = {**bearer(await signed_in(client, "retry@example.org")), "Idempotency-Key": "attempt-1"}
    body = {"offering_id": practice.offering_id, "starts_at": slots[0]["starts_at"]}
    first = await client.post(BOOKINGS, headers=headers, json=body)
    assert first.status_code == 201, first.text
    reordered = f'{{ "starts_at": "{body["starts_at"]}",  "offering_id": "{body["offering_id"]}" }}'
    replay = await client.post(BOOKINGS, headers={**headers, "Content-Type": "application/json"}, content=reordered)
    assert (replay.status_code, replay.json()) == (201, first.json())  # the same request, spaced and ordered otherwise
    other = {"offering_id": practice.offering_id, "starts_at": slots[1]["starts_at"]}
    assert_problem(await client.post(BOOKINGS, headers=headers, json=other), 422, "idempotency-key-reused")
    assert [str(r["id"]) for r in await Booking.select(Booking.id)] == [first.json()["id"]]
