"""The HTTP edge: problem+json for every error, size limits, request ids, health, metrics and the OpenAPI."""

from __future__ import annotations

import httpx

from confer.app import create_app
from confer.core.runtime import Runtime
from confer.modules.accounts.tables import Account
from confer.settings import load_settings
from tests.support import assert_problem, serving


async def test_malformed_json_is_a_400_problem_and_writes_nothing(client: httpx.AsyncClient) -> None:
    for body in [b'{"email": "x@example.org",', b"not json", b"\xff\xfe"]:
        response = await client.post(
            "/api/v1/auth/register", content=body, headers={"Content-Type": "application/json"}
        )
        assert_problem(response, 400, "malformed-body")
    assert await Account.count() == 0


async def test_wrong_types_are_a_422_naming_the_field(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/auth/login", json={"email": ["a"], "password": "x"})
    problem = assert_problem(response, 422, "validation")
    assert problem["errors"][0]["field"] == "email"
    assert_problem(await client.post("/api/v1/auth/login", json=[1, 2]), 422, "validation")


async def test_an_oversized_body_is_refused_with_413_before_anything_is_written(client: httpx.AsyncClient) -> None:
    huge = {"email": "big@example.org", "password": "x" * 200_000, "name": "Big", "timezone": "UTC"}
    assert_problem(await client.post("/api/v1/auth/register", json=huge), 413, "payload-too-large")
    assert await Account.count() == 0


async def test_unknown_routes_and_methods_are_problems(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/api/v1/nothing-here"), 404, "not-found")
    assert_problem(await client.put("/api/v1/auth/login", json={}), 405, "method-not-allowed")
    assert_problem(await client.delete("/api/v1/auth/sessions/not-a-uuid", headers={"Authorization": "Bearer x"}), 404)


async def test_every_response_carries_a_request_id_and_a_sane_one_is_echoed(client: httpx.AsyncClient) -> None:
    generated = await client.get("/healthz")
    assert len(generated.headers["x-request-id"]) == 32
    echoed = await client.get("/healthz", headers={"X-Request-ID": "trace-123"})
    assert echoed.headers["x-request-id"] == "trace-123"
    hostile = await client.get("/healthz", headers={"X-Request-ID": "<script>" + "a" * 100})
    assert hostile.headers["x-request-id"] != "<script>" + "a" * 100
    # answers the router gives itself, for no route or no such method, carry theirs too
    for unrouted in (await client.get("/api/v1/nothing-here"), await client.delete("/healthz")):
        assert unrouted.status_code in (404, 405)
        assert len(unrouted.headers["x-request-id"]) == 32


async def test_liveness_readiness_and_metrics(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok", "checks": {}}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "redis": "ok"}
    await client.get("/api/v1/me")
    metrics = await client.get("/metrics")
    assert metrics.status_code == 200
    assert "confer_requests_total" in metrics.text
    assert 'route="/api/v1/me"' in metrics.text
    assert "confer_request_duration_seconds_bucket" in metrics.text
    session_id = "0b7c1e3a-0000-4000-8000-000000000001"
    await client.delete(f"/api/v1/auth/sessions/{session_id}")
    metrics = await client.get("/metrics")
    assert "/api/v1/auth/sessions/{session_id}" in metrics.text  # one series per route, not per id
    assert session_id not in metrics.text


async def test_the_openapi_document_describes_the_accounts_routes(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/api/docs/openapi.json")).json()
    paths = schema["paths"]
    for path, method in [
        ("/api/v1/auth/register", "post"),
        ("/api/v1/auth/login", "post"),
        ("/api/v1/auth/refresh", "post"),
        ("/api/v1/auth/logout", "post"),
        ("/api/v1/auth/sessions", "get"),
        ("/api/v1/auth/sessions/{session_id}", "delete"),
        ("/api/v1/auth/verify-email", "post"),
        ("/api/v1/auth/password/forgot", "post"),
        ("/api/v1/auth/password/reset", "post"),
        ("/api/v1/auth/password/change", "post"),
        ("/api/v1/me", "get"),
        ("/api/v1/me", "patch"),
    ]:
        assert method in paths[path], (path, method)
    assert paths["/api/v1/me"]["get"]["security"] == [{"bearer": []}]
    assert (await client.get("/api/docs")).status_code == 200


async def test_the_start_page_is_served_at_the_root(client: httpx.AsyncClient) -> None:
    page = await client.get("/")
    assert page.status_code == 200
    assert "Confer" in page.text


async def test_a_client_over_the_rate_limit_gets_429_with_retry_after(
    runtime: Runtime, test_environ: dict[str, str]
) -> None:
    strict = load_settings({**test_environ, "CONFER_RATE_LIMIT_PER_MINUTE": "5"})
    async with (
        serving(create_app(strict, runtime=runtime)) as base_url,
        httpx.AsyncClient(base_url=base_url) as limited,
    ):
        answers = [await limited.post("/api/v1/auth/login", json={}) for _ in range(7)]
        assert [r.status_code for r in answers] == [422] * 5 + [429] * 2
        assert answers[0].headers["ratelimit-remaining"] == "4"
        problem = assert_problem(answers[-1], 429, "too-many-requests")
        assert problem["status"] == 429
        assert 1 <= int(answers[-1].headers["retry-after"]) <= 60
        assert (await limited.get("/healthz")).status_code == 200
