"""Bookings reach Google or Apple Calendar: a private, revocable ICS feed, and an .ics per booking."""

from __future__ import annotations

from datetime import datetime

import httpx
import icalendar

from tests.modules.booking.test_booking import book, free_slots, open_practice
from tests.support import assert_problem, bearer, signed_in


async def test_a_professional_subscribes_to_a_private_feed_of_their_bookings(client: httpx.AsyncClient) -> None:
    practice = await open_practice(client)
    slot = (await free_slots(client, practice))[0]
    guest = bearer(await signed_in(client, "guest@example.org"))
    booking = await book(client, guest, practice, slot)

    created = await client.post("/api/v1/me/calendar-feed", headers=bearer(practice.tokens))
    assert created.status_code == 201
    url = created.json()["url"]
    path = url.removeprefix("http://confer.test")
    answer = await client.get(path)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/calendar")
    events = icalendar.Calendar.from_ical(answer.content).walk("VEVENT")
    assert [str(e["UID"]) for e in events] == [f"{booking['id']}@confer"]
    assert events[0].decoded("DTSTART") == datetime.fromisoformat(slot["starts_at"])
    assert "Consultation" in str(events[0]["SUMMARY"])

    # A new URL revokes the old one; deleting the feed revokes it too.
    newer = (await client.post("/api/v1/me/calendar-feed", headers=bearer(practice.tokens))).json()["url"]
    assert_problem(await client.get(path), 404)
    assert (await client.get(newer.removeprefix("http://confer.test"))).status_code == 200
    assert (await client.delete("/api/v1/me/calendar-feed", headers=bearer(practice.tokens))).status_code == 204
    assert_problem(await client.get(newer.removeprefix("http://confer.test")), 404)
    assert_problem(await client.get("/api/v1/calendar-feeds/guessed-token.ics"), 404)


async def test_each_party_downloads_the_booking_as_ics_and_nobody_else_can(client: httpx.AsyncClient) -> None:
    practice = await open_practice(client)
    slot = (await free_slots(client, practice))[0]
    guest = bearer(await signed_in(client, "guest@example.org"))
    booking = await book(client, guest, practice, slot)
    for headers in (guest, bearer(practice.tokens)):
        answer = await client.get(f"/api/v1/bookings/{booking['id']}/ics", headers=headers)
        assert answer.status_code == 200
        assert "attachment" in answer.headers["content-disposition"]
        [event] = icalendar.Calendar.from_ical(answer.content).walk("VEVENT")
        assert event.decoded("DTEND") == datetime.fromisoformat(booking["ends_at"])
    stranger = bearer(await signed_in(client, "stranger@example.org"))
    assert_problem(await client.get(f"/api/v1/bookings/{booking['id']}/ics", headers=stranger), 404)
