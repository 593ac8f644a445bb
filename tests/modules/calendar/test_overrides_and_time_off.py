"""A professional lists and removes their date overrides and time off; removing one frees its time again."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import httpx

from confer.core.clock import OffsetClock
from tests.modules.booking.test_booking import free_slots, open_practice
from tests.support import assert_problem, bearer, signed_in


async def test_a_closed_date_is_listed_and_removing_it_reopens_the_weekly_hours(
    client: httpx.AsyncClient, clock: OffsetClock
) -> None:
    practice = await open_practice(client, zone="UTC")
    before = await free_slots(client, practice, days=1)
    closed_day = date.fromisoformat(before[0]["starts_at"][:10])
    later = closed_day + timedelta(days=3)
    for body in (
        {"date": closed_day.isoformat(), "intervals": []},
        {
            "date": later.isoformat(),
            "intervals": [{"start": "10:00", "end": "12:00"}, {"start": "14:00", "end": "24:00"}],
        },
        {"date": (clock.now().date() - timedelta(days=5)).isoformat(), "intervals": []},
    ):
        saved = await client.post("/api/v1/me/availability/overrides", headers=bearer(practice.tokens), json=body)
        assert saved.status_code == 201, saved.text
    assert await free_slots(client, practice, days=1) == []

    listed = await client.get("/api/v1/me/availability/overrides", headers=bearer(practice.tokens))
    assert listed.status_code == 200, listed.text
    assert listed.json() == [
        {"date": closed_day.isoformat(), "intervals": []},
        {
            "date": later.isoformat(),
            "intervals": [{"start": "10:00", "end": "12:00"}, {"start": "14:00", "end": "24:00"}],
        },
    ]

    removed = await client.delete(
        f"/api/v1/me/availability/overrides/{closed_day.isoformat()}", headers=bearer(practice.tokens)
    )
    assert removed.status_code == 204, removed.text
    assert await free_slots(client, practice, days=1) == before
    again = await client.delete(
        f"/api/v1/me/availability/overrides/{closed_day.isoformat()}", headers=bearer(practice.tokens)
    )
    assert_problem(again, 404, "not-found")


async def test_time_off_is_listed_until_it_ends_and_only_its_owner_removes_it(
    client: httpx.AsyncClient, clock: OffsetClock
) -> None:
    practice = await open_practice(client, zone="UTC")
    before = await free_slots(client, practice, days=1)
    start = datetime.fromisoformat(before[0]["starts_at"]).astimezone(UTC)
    now = clock.now()
    for starts, ends, note in (
        (start, start + timedelta(hours=2), "dentist"),
        (now - timedelta(days=3), now - timedelta(days=2), "past"),
    ):
        added = await client.post(
            "/api/v1/me/time-off",
            headers=bearer(practice.tokens),
            json={"starts_at": starts.isoformat(), "ends_at": ends.isoformat(), "note": note},
        )
        assert added.status_code == 201, added.text

    listed = await client.get("/api/v1/me/time-off", headers=bearer(practice.tokens))
    assert listed.status_code == 200, listed.text
    assert [t["note"] for t in listed.json()] == ["dentist"]
    time_off_id = listed.json()[0]["id"]

    other = await signed_in(client, "someone-else@example.org", role="professional")
    assert_problem(await client.delete(f"/api/v1/me/time-off/{time_off_id}", headers=bearer(other)), 409)
    stranger = await open_practice(client, "stranger@example.org")
    assert_problem(await client.delete(f"/api/v1/me/time-off/{time_off_id}", headers=bearer(stranger.tokens)), 404)

    removed = await client.delete(f"/api/v1/me/time-off/{time_off_id}", headers=bearer(practice.tokens))
    assert removed.status_code == 204, removed.text
    assert (await client.get("/api/v1/me/time-off", headers=bearer(practice.tokens))).json() == []
    assert await free_slots(client, practice, days=1) == before
