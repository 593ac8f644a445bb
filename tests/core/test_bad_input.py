"""Hostile input found by a black-box probe: each is a clear 4xx problem+json, never a 500, and changes nothing."""

from __future__ import annotations

import httpx
import pytest

from confer.modules.accounts.tables import Account
from tests.support import PASSWORD, assert_problem, bearer, signed_in

NUL = "\u0000"


async def test_a_nul_in_the_login_email_is_a_422_naming_the_field(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/auth/login", json={"email": f"a{NUL}@example.org", "password": PASSWORD})
    problem = assert_problem(response, 422, "validation")
    assert [error["field"] for error in problem["errors"]] == ["email"]


async def test_a_nul_in_any_text_field_is_a_422_naming_it_and_nothing_is_written(client: httpx.AsyncClient) -> None:
    registration = {"email": "nul@example.org", "password": PASSWORD, "name": f"Ada{NUL}", "timezone": "UTC"}
    problem = assert_problem(await client.post("/api/v1/auth/register", json=registration), 422, "validation")
    assert [error["field"] for error in problem["errors"]] == ["name"]
    assert await Account.count() == 0

    tokens = await signed_in(client, "pro@example.org", role="professional")
    before = (await client.get("/api/v1/me/professional", headers=bearer(tokens))).json()
    profile = {"display_name": "Pro", "timezone": "UTC", "country": "FR", "specialties": ["ok", f"bad{NUL}"]}
    response = await client.put("/api/v1/me/professional", json=profile, headers=bearer(tokens))
    problem = assert_problem(response, 422, "validation")
    assert [error["field"] for error in problem["errors"]] == ["specialties[1]"]
    assert (await client.get("/api/v1/me/professional", headers=bearer(tokens))).json() == before


async def test_a_nul_in_a_key_or_a_query_parameter_is_a_422_naming_it(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/auth/login", json={"email": "a@example.org", f"pass{NUL}": "x"})
    assert_problem(response, 422, "validation")
    problem = assert_problem(await client.get("/api/v1/professionals", params={"currency": NUL}), 422, "validation")
    assert [error["field"] for error in problem["errors"]] == ["currency"]


@pytest.mark.parametrize("path", ["/api/v1/professionals/%00", "/api/v1/me/%00", "/%00", "/assets/%00"])
async def test_a_nul_in_the_path_is_a_client_error(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code in (400, 404), response.text
    assert_problem(response, response.status_code)


# As deep as the test server's 64 KiB body limit allows (production allows more, so deeper still).
@pytest.mark.parametrize("body", [b"[" * 60_000, b'{"a":' * 12_000, b"[" * 30_000 + b"]" * 30_000])
async def test_deeply_nested_json_is_a_400_problem(client: httpx.AsyncClient, body: bytes) -> None:
    response = await client.post("/api/v1/auth/login", content=body, headers={"Content-Type": "application/json"})
    assert_problem(response, 400, "malformed-body")
    assert await Account.count() == 0


HOSTILE_QUERIES = [
    "-" * 40,
    "-" * 200,
    "!" * 100,
    '"' * 101,
    "a " + "-" * 60 + " b",
    "or " * 60,
    "(((((((((((",
    "a & | ! <-> :* b",
    '-"' * 60,
    "-(" * 60 + "cat",
    "\\",
    "'",
]


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
async def test_hostile_search_text_gives_results_or_a_clear_client_error(client: httpx.AsyncClient, query: str) -> None:
    response = await client.get("/api/v1/professionals", params={"q": query})
    if response.status_code == 200:
        assert response.json()["items"] == []
    else:
        assert_problem(response, 422, "validation")


ODD_REQUESTS = [
    ("GET", "/api/v1/professionals?q=%ff%fe", None),
    ("GET", "/api/v1/professionals?tz=%ff", None),
    ("GET", "/api/v1/professionals?cursor=%ff%00", None),
    ("GET", "/api/v1/professionals?tz=../../etc/passwd", None),
    ("GET", "/api/v1/professionals?available_from=99999-01-01", None),
    ("GET", "/api/v1/professionals?available_to=9999-12-31T23:59:59-23:59", None),
    ("GET", "/api/v1/professionals/%ff", None),
    ("GET", "/api/v1/calendar-feeds/%ff.ics", None),
    ("GET", "/api/v1/calendar-feeds/" + "a" * 5000 + ".ics", None),
    ("POST", "/api/v1/auth/login", b'{"email": "\\ud800@example.org", "password": "x"}'),
    ("POST", "/api/v1/auth/login", b'{"email": "a@example.org", "password": "' + b"x" * 60_000 + b'"}'),
    ("POST", "/api/v1/auth/login", b'{"email": 1e999, "password": "x"}'),
    (
        "POST",
        "/api/v1/auth/register",
        b'{"email": "a@example.org", "password": "p", "name": "\\u202e", "timezone": "\\u0000"}',
    ),
]


@pytest.mark.parametrize(("method", "path", "body"), ODD_REQUESTS)
async def test_odd_requests_are_answered_without_a_server_error(
    client: httpx.AsyncClient, method: str, path: str, body: bytes | None
) -> None:
    response = await client.request(method, path, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert_problem(response, response.status_code)
