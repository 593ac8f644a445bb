"""A professional's own practice: their profile as they see it, and changing the terms of an offering."""

from __future__ import annotations

import httpx

from tests.modules.booking.test_booking import open_practice
from tests.support import assert_problem, bearer, signed_in


async def test_a_professional_reads_their_unpublished_profile_with_every_offering(client: httpx.AsyncClient) -> None:
    tokens = await signed_in(client, "draft@example.org", role="professional")
    missing = await client.get("/api/v1/me/professional", headers=bearer(tokens))
    assert missing.status_code == 200, missing.text
    assert missing.json() is None

    saved = await client.put(
        "/api/v1/me/professional",
        headers=bearer(tokens),
        json={"display_name": "Dr Draft", "timezone": "Europe/Paris", "country": "FR", "published": False},
    )
    assert saved.status_code == 200, saved.text
    hidden = await client.post(
        "/api/v1/me/offerings",
        headers=bearer(tokens),
        json={
            "kind": "consultation",
            "title": "Hidden",
            "duration_minutes": 30,
            "price_minor": 0,
            "currency": "EUR",
            "published": False,
        },
    )
    assert hidden.status_code == 201, hidden.text

    mine = await client.get("/api/v1/me/professional", headers=bearer(tokens))
    assert mine.status_code == 200, mine.text
    assert mine.json()["display_name"] == "Dr Draft"
    assert [o["title"] for o in mine.json()["offerings"]] == ["Hidden"]
    assert_problem(await client.get(f"/api/v1/professionals/{saved.json()['id']}"), 404)


async def test_an_offering_is_unpublished_and_changed_but_keeps_its_kind(client: httpx.AsyncClient) -> None:
    practice = await open_practice(client)
    offering = (await client.get("/api/v1/me/offerings", headers=bearer(practice.tokens))).json()[0]
    terms = {key: offering[key] for key in ("kind", "title", "duration_minutes", "price_minor", "currency")}

    changed = await client.put(
        f"/api/v1/me/offerings/{offering['id']}",
        headers=bearer(practice.tokens),
        json={**terms, "title": "Longer talk", "duration_minutes": 60, "published": False},
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["title"], changed.json()["duration_minutes"], changed.json()["published"]) == (
        "Longer talk",
        60,
        False,
    )
    public = (await client.get(f"/api/v1/professionals/{practice.id}")).json()
    assert public["offerings"] == []

    as_class = await client.put(
        f"/api/v1/me/offerings/{offering['id']}",
        headers=bearer(practice.tokens),
        json={**terms, "kind": "class", "capacity": 5},
    )
    assert_problem(as_class, 422, "validation")


async def test_someone_elses_offering_cannot_be_changed(client: httpx.AsyncClient) -> None:
    practice = await open_practice(client)
    other = await signed_in(client, "other-pro@example.org", role="professional")
    attempt = await client.put(
        f"/api/v1/me/offerings/{practice.offering_id}",
        headers=bearer(other),
        json={"kind": "consultation", "title": "Mine now", "duration_minutes": 30, "price_minor": 0, "currency": "EUR"},
    )
    assert_problem(attempt, 404, "not-found")
