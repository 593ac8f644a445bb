"""Finding professionals: words, filters, sorts, pages, the next-available index, and the demo practices."""

from __future__ import annotations

import asyncio
import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import httpx

from confer.core.runtime import Runtime
from confer.modules.professionals import module as professionals_module
from confer.modules.professionals.tables import ProfessionalProfile
from confer.modules.search import module as search_module
from confer.modules.search import service as search
from tests.modules.booking.test_booking import Practice, open_practice
from tests.support import assert_problem, bearer, signed_in

SEARCH = "/api/v1/professionals"


async def practice(
    client: httpx.AsyncClient,
    email: str,
    *,
    name: str = "Dr Example",
    headline: str = "",
    bio: str = "",
    specialties: tuple[str, ...] = ("psychology",),
    languages: tuple[str, ...] = ("en",),
    zone: str = "Europe/Paris",
    published: bool = True,
    **offering: Any,
) -> Practice:
    """A published practice (open 09:00-17:00 every day) with the profile given here."""
    opened = await open_practice(client, email, zone=zone, **offering)
    saved = await client.put(
        "/api/v1/me/professional",
        headers=bearer(opened.tokens),
        json={
            "display_name": name,
            "headline": headline,
            "bio": bio,
            "timezone": zone,
            "country": "FR",
            "specialties": list(specialties),
            "languages": list(languages),
            "published": published,
        },
    )
    assert saved.status_code == 200, saved.text
    return opened


async def found(client: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    response = await client.get(SEARCH, params=params)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def names(client: httpx.AsyncClient, **params: Any) -> list[str]:
    return [item["display_name"] for item in await found(client, **params)]


async def test_words_find_the_professionals_whose_profile_holds_them_and_no_others(client: httpx.AsyncClient) -> None:
    await practice(client, "a@example.org", name="Asha Iyer", headline="Therapy for anxiety and panic")
    await practice(
        client,
        "b@example.org",
        name="Ben Walker",
        headline="Piano lessons",
        bio="Classical and jazz piano for adults",
        specialties=("music",),
    )
    assert await names(client, q="anxiety") == ["Asha Iyer"]
    assert await names(client, q="jazz piano") == ["Ben Walker"]
    assert await names(client, q="walker") == ["Ben Walker"]
    assert await names(client, q="music") == ["Ben Walker"]
    assert await names(client, q="astrophysics") == []
    assert sorted(await names(client)) == ["Asha Iyer", "Ben Walker"]


async def test_a_name_match_ranks_above_a_mention_in_the_bio(client: httpx.AsyncClient) -> None:
    await practice(client, "a@example.org", name="Anna Bio", bio="I trained with Dr Garcia in Madrid")
    await practice(client, "b@example.org", name="Maria Garcia", bio="Family therapy")
    assert await names(client, q="garcia", sort="relevance") == ["Maria Garcia", "Anna Bio"]


async def test_each_filter_keeps_only_the_professionals_that_match_it(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    cheap = await practice(
        client, "a@example.org", name="Cheap French", specialties=("coaching",), languages=("fr",), price_minor=2000
    )
    await practice(
        client, "b@example.org", name="Dear English", specialties=("law",), languages=("en",), price_minor=9000
    )
    await ProfessionalProfile.raw(
        "UPDATE professional_profile SET rating_avg = 4.8, rating_count = 12 WHERE id = {}::uuid", cheap.id
    )
    assert await names(client, specialty="coaching") == ["Cheap French"]
    assert await names(client, specialty="law") == ["Dear English"]
    assert await names(client, language="en") == ["Dear English"]
    assert await names(client, price_max=5000) == ["Cheap French"]
    assert await names(client, price_max=5000, currency="USD") == []
    assert await names(client, min_rating=4.5) == ["Cheap French"]
    assert await names(client, kind="consultation", sort="price") == ["Cheap French", "Dear English"]
    assert await names(client, kind="class") == []
    price = (await found(client, specialty="law"))[0]["price_from"]
    assert price == {"amount_minor": 9000, "currency": "EUR"}


async def test_available_filters_read_the_first_free_slot(client: httpx.AsyncClient, runtime: Runtime) -> None:
    soon = await practice(client, "a@example.org", name="Soon")
    later = await practice(client, "b@example.org", name="Later")
    await practice(client, "c@example.org", name="Never")
    await search.refresh_stale(runtime)
    now = runtime.clock.now()
    await _set_next_available(soon.id, now + timedelta(hours=3))
    await _set_next_available(later.id, now + timedelta(days=5))
    await ProfessionalProfile.raw(
        "UPDATE professional_profile SET next_available_at = NULL WHERE display_name = 'Never'"
    )
    tomorrow = (now + timedelta(days=1)).isoformat()
    assert await names(client, available_to=tomorrow) == ["Soon"]
    week = (now + timedelta(days=7)).isoformat()
    assert await names(client, available_to=week, sort="next_available") == ["Soon", "Later"]
    assert await names(client, available_from=(now + timedelta(days=2)).isoformat(), available_to=week) == ["Later"]


async def test_the_sorts_order_by_price_rating_and_next_available(client: httpx.AsyncClient, runtime: Runtime) -> None:
    one = await practice(client, "a@example.org", name="One", price_minor=3000)
    two = await practice(client, "b@example.org", name="Two", price_minor=1000)
    three = await practice(client, "c@example.org", name="Three", price_minor=2000)
    await search.refresh_stale(runtime)
    now = runtime.clock.now()
    # (average, Bayesian average): One has a perfect average from few reviews, so it sorts below Three
    for professional, rating, hours in ((one, (5.0, 4.3), 30), (two, (3.0, 3.4), 50), (three, (4.9, 4.85), 40)):
        await _set_next_available(professional.id, now + timedelta(hours=hours))
        await ProfessionalProfile.raw(
            "UPDATE professional_profile SET rating_avg = {}::numeric, rating_bayesian = {}::numeric "
            "WHERE id = {}::uuid",
            rating[0],
            rating[1],
            professional.id,
        )
    assert await names(client, sort="price") == ["Two", "Three", "One"]
    assert await names(client, sort="rating") == ["Three", "One", "Two"]
    assert await names(client, sort="next_available") == ["One", "Three", "Two"]


async def test_pages_follow_the_cursor_without_repeats_or_gaps(client: httpx.AsyncClient, runtime: Runtime) -> None:
    await _insert_profiles(runtime, 47)
    for sort in ("relevance", "price", "rating", "next_available"):
        seen: list[str] = []
        cursor = None
        for _ in range(5):
            response = await client.get(SEARCH, params={"sort": sort, **({"cursor": cursor} if cursor else {})})
            assert response.status_code == 200, response.text
            body = response.json()
            seen.extend(item["id"] for item in body["items"])
            cursor = body["next_cursor"]
            if cursor is None:
                break
        assert len(seen) == 47, sort
        assert len(set(seen)) == 47, sort


async def test_unpublished_professionals_never_appear(client: httpx.AsyncClient) -> None:
    await practice(client, "a@example.org", name="Hidden Helen", headline="anxiety", published=False)
    await practice(client, "b@example.org", name="Public Paul", headline="anxiety")
    assert await names(client) == ["Public Paul"]
    assert await names(client, q="helen") == []
    assert await names(client, q="anxiety") == ["Public Paul"]


async def test_next_available_moves_on_when_a_booking_takes_the_only_slot(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    pro = await practice(client, "pro@example.org", name="Only Slot", zone="UTC")
    headers = bearer(pro.tokens)
    assert (await client.put("/api/v1/me/availability/rules", headers=headers, json=[])).status_code == 200
    day = (runtime.clock.now() + timedelta(days=3)).date()
    override = await client.post(
        "/api/v1/me/availability/overrides",
        headers=headers,
        json={"date": day.isoformat(), "intervals": [{"start": "10:00", "end": "10:30"}]},
    )
    assert override.status_code == 201, override.text
    await search.refresh_professionals(runtime, [pro.id])
    only = datetime(day.year, day.month, day.day, 10, tzinfo=UTC)
    [card] = await found(client)
    assert datetime.fromisoformat(card["next_available_at"]) == only

    client_tokens = await signed_in(client, "ada@example.org")
    booked = await client.post(
        "/api/v1/bookings",
        headers=bearer(client_tokens),
        json={"offering_id": pro.offering_id, "starts_at": only.isoformat()},
    )
    assert booked.status_code == 201, booked.text
    for _ in range(200):  # the worker reacts to booking.confirmed on its own
        [card] = await found(client)
        if card["next_available_at"] is None:
            break
        await asyncio.sleep(0.05)
    assert card["next_available_at"] is None
    await search.refresh_professionals(runtime, [pro.id])
    assert (await found(client))[0]["next_available_at"] is None
    assert await names(client, available_to=(runtime.clock.now() + timedelta(days=7)).isoformat()) == []


async def test_next_available_is_shown_in_the_clients_zone(client: httpx.AsyncClient, runtime: Runtime) -> None:
    await practice(client, "pro@example.org", zone="America/New_York")
    await search.refresh_stale(runtime)
    in_utc = (await found(client))[0]["next_available_at"]
    response = await client.get(SEARCH, params={"tz": "Asia/Kathmandu"})
    assert response.json()["zone"] == "Asia/Kathmandu"
    in_kathmandu = response.json()["items"][0]["next_available_at"]
    assert in_utc.endswith("Z") or in_utc.endswith("+00:00")
    assert in_kathmandu.endswith("+05:45")
    assert datetime.fromisoformat(in_kathmandu) == datetime.fromisoformat(in_utc)


async def test_bad_search_input_is_a_422_naming_the_field(client: httpx.AsyncClient) -> None:
    cases = [
        ("sort", {"sort": "popularity"}),
        ("price_max", {"price_max": "-1"}),
        ("price_max", {"price_max": str(2**40)}),
        ("cursor", {"cursor": "not-a-cursor"}),
        ("tz", {"tz": "Mars/Olympus_Mons"}),
        ("available_to", {"available_from": "2030-01-10", "available_to": "2030-01-05"}),
        ("available_from", {"available_from": "soon"}),
        ("available_from", {"available_from": "0001-01-01", "tz": "Asia/Kathmandu"}),
        ("available_to", {"available_to": "9999-12-31"}),
        ("available_to", {"available_to": "2030-01-05T10:00:00"}),
        ("specialty", {"specialty": "astrology"}),
        ("min_rating", {"min_rating": "7"}),
        ("kind", {"kind": "webinar"}),
        ("q", {"q": "anxiety\x00"}),
    ]
    for field, params in cases:
        body = assert_problem(await client.get(SEARCH, params=params), 422, "validation")
        assert field in [error["field"] for error in body["errors"]], (field, body)


async def test_a_cursor_from_another_sort_is_refused(client: httpx.AsyncClient, runtime: Runtime) -> None:
    await _insert_profiles(runtime, 25)
    cursor = (await client.get(SEARCH, params={"sort": "price"})).json()["next_cursor"]
    assert cursor
    body = assert_problem(await client.get(SEARCH, params={"sort": "rating", "cursor": cursor}), 422)
    assert body["errors"][0]["field"] == "cursor"
    for sort, key in (("price", "99999999999"), ("next_available", "2026-13-45 00:00:00+00"), ("rating", "1e99999")):
        forged = base64.urlsafe_b64encode(json.dumps({"s": sort, "k": key, "i": str(uuid4())}).encode()).decode()
        body = assert_problem(await client.get(SEARCH, params={"sort": sort, "cursor": forged}), 422)
        assert body["errors"][0]["field"] == "cursor"


async def test_the_demo_has_sixty_published_practices_in_many_zones_once(runtime: Runtime) -> None:
    assert professionals_module.seed_demo is not None
    lines = await professionals_module.seed_demo(runtime)
    assert lines
    await professionals_module.seed_demo(runtime)
    assert search_module.seed_demo is not None
    await search_module.seed_demo(runtime)  # computes everyone's next free slot, as `confer seed-demo` does next
    rows = await ProfessionalProfile.raw(
        "SELECT count(*) AS n, count(DISTINCT timezone) AS zones, count(next_available_at) AS open,"
        " count(*) FILTER (WHERE price_min_minor IS NOT NULL) AS priced FROM professional_profile WHERE published"
    )
    assert rows[0]["n"] == 60
    assert rows[0]["zones"] >= 8
    assert rows[0]["priced"] == 60
    assert rows[0]["open"] >= 50
    offerings = await ProfessionalProfile.raw("SELECT count(*) AS n FROM offering")
    assert offerings[0]["n"] >= 60
    accounts = await ProfessionalProfile.raw(
        "SELECT count(*) AS n FROM account WHERE role = 'professional' AND email_verified_at IS NOT NULL"
    )
    assert accounts[0]["n"] == 60


async def _set_next_available(professional_id: str, at: datetime) -> None:
    await ProfessionalProfile.raw(
        "UPDATE professional_profile SET next_available_at = {}, next_available_checked_at = {} WHERE id = {}::uuid",
        at,
        at,
        professional_id,
    )


async def _insert_profiles(runtime: Runtime, count: int) -> None:
    """Published profiles straight into the tables, with ties in every sort key (pages must still be exact)."""
    now = runtime.clock.now()
    for index in range(count):
        account_id = uuid4()
        await ProfessionalProfile.raw(
            "INSERT INTO account (id, email, password_hash, name, role, timezone, locale, created_at, updated_at)"
            " VALUES ({}, {}, 'x', 'Pro', 'professional', 'UTC', 'en', {}, {})",
            account_id,
            f"pro{index}@example.org",
            now,
            now,
        )
        await ProfessionalProfile.raw(
            "INSERT INTO professional_profile (id, account, display_name, specialties, languages, timezone, country,"
            " published, created_at, updated_at, rating_avg, price_min_minor, next_available_at)"
            " VALUES ({}, {}, {}, ARRAY['coaching']::varchar[], ARRAY['en']::varchar[], 'UTC', 'FR', true, {}, {},"
            " {}::numeric, {}, {})",
            account_id,
            account_id,
            f"Pro {index}",
            now,
            now,
            None if index % 5 == 0 else index % 3,
            None if index % 7 == 0 else 1000 * (index % 4),
            None if index % 6 == 0 else now + timedelta(hours=index % 5),
        )


async def test_time_off_over_the_whole_look_ahead_leaves_no_next_available(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    pro = await practice(client, "pro@example.org", name="On Leave")
    await search.refresh_professionals(runtime, [pro.id])
    assert (await found(client))[0]["next_available_at"] is not None
    now = runtime.clock.now()
    leave = await client.post(
        "/api/v1/me/time-off",
        headers=bearer(pro.tokens),
        json={"starts_at": now.isoformat(), "ends_at": (now + timedelta(days=20)).isoformat(), "note": "leave"},
    )
    assert leave.status_code == 201, leave.text
    await search.refresh_professionals(runtime, [pro.id])
    assert (await found(client))[0]["next_available_at"] is None


async def test_the_cheapest_published_offering_sets_the_price_and_kinds(client: httpx.AsyncClient) -> None:
    pro = await practice(client, "pro@example.org", name="Priced", price_minor=5000)
    added = await client.post(
        "/api/v1/me/offerings",
        headers=bearer(pro.tokens),
        json={
            "kind": "class",
            "title": "Group class",
            "duration_minutes": 60,
            "price_minor": 1500,
            "currency": "EUR",
            "capacity": 8,
        },
    )
    assert added.status_code == 201, added.text
    [card] = await found(client)
    assert card["price_from"] == {"amount_minor": 1500, "currency": "EUR"}
    assert card["offering_kinds"] == ["class", "consultation"]
    assert await names(client, kind="class") == ["Priced"]
