"""The caller's own profile."""

from __future__ import annotations

import httpx

from tests.support import assert_problem, bearer, signed_in


async def test_a_person_updates_their_profile(client: httpx.AsyncClient) -> None:
    tokens = await signed_in(client, "me@example.org", name="Old Name")
    response = await client.patch(
        "/api/v1/me",
        headers=bearer(tokens),
        json={
            "name": "New Name",
            "timezone": "Asia/Kathmandu",
            "locale": "fr-FR",
            "avatar_url": "https://cdn.example.org/me.png",
        },
    )
    assert response.status_code == 200
    me = (await client.get("/api/v1/me", headers=bearer(tokens))).json()
    assert (me["name"], me["timezone"], me["locale"], me["avatar_url"]) == (
        "New Name",
        "Asia/Kathmandu",
        "fr-FR",
        "https://cdn.example.org/me.png",
    )
    cleared = await client.patch("/api/v1/me", headers=bearer(tokens), json={"avatar_url": None})
    assert cleared.json()["avatar_url"] is None
    assert cleared.json()["name"] == "New Name"


async def test_a_bad_profile_update_changes_nothing(client: httpx.AsyncClient) -> None:
    tokens = await signed_in(client, "stable@example.org", name="Stable", timezone="Europe/Paris")
    for body in [
        {"timezone": "Europe/Atlantis", "name": "Changed"},
        {"locale": "not a locale!"},
        {"avatar_url": "javascript:alert(1)"},
        {"email": "other@example.org"},
        {"role": "admin"},
        {"name": ""},
    ]:
        assert_problem(await client.patch("/api/v1/me", headers=bearer(tokens), json=body), 422, "validation")
    me = (await client.get("/api/v1/me", headers=bearer(tokens))).json()
    assert (me["name"], me["timezone"], me["email"], me["role"]) == (
        "Stable",
        "Europe/Paris",
        "stable@example.org",
        "client",
    )
