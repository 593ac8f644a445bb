"""The newcomer's stack: `confer dev` on its own embedded PostgreSQL and Valkey, with its demo data, over real HTTP and
WebSocket. It must behave as production does (on 2026-12-03 its Redis 6.2 turned a wrong password into a 500)."""

from __future__ import annotations

import asyncio
import json
import re
import secrets
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
import pytest
import websockets

from tests.embedded.confer_dev import ConferDev
from tests.support import assert_problem

DEMO_PASSWORD = "confer-demo-2026"
DEMO_CLIENT = "client@demo.confer.dev"
DEMO_PROFESSIONAL = "pro30@demo.confer.dev"  # neither booked by the demo client nor teaching a demo class
PASSWORD = "a passphrase for the embedded stack"
WAIT = 30.0


@pytest.fixture
async def http(confer_dev: ConferDev) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=confer_dev.url, timeout=30) as client:
        yield client


async def sign_in(http: httpx.AsyncClient, email: str, password: str = DEMO_PASSWORD) -> dict[str, str]:
    answer = await http.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


async def register(http: httpx.AsyncClient, email: str) -> None:
    answer = await http.post(
        "/api/v1/auth/register",
        json={"email": email, "password": PASSWORD, "name": "New Person", "role": "client", "timezone": "UTC"},
    )
    assert answer.status_code == 201, answer.text


def server_today(answer: httpx.Response) -> date:
    """The server's date, from its ``Date`` header: `confer dev` runs on the real clock."""
    stamp: datetime = parsedate_to_datetime(answer.headers["date"])
    return stamp.date()


async def test_registration_and_sign_in_work_and_a_wrong_password_is_a_401(http: httpx.AsyncClient) -> None:
    email = f"newcomer-{secrets.token_hex(3)}@example.org"
    await register(http, email)
    me = await http.get("/api/v1/me", headers=await sign_in(http, email, PASSWORD))
    assert me.status_code == 200, me.text
    assert me.json()["email"] == email
    await sign_in(http, DEMO_CLIENT)

    wrong = await http.post("/api/v1/auth/login", json={"email": DEMO_CLIENT, "password": "not the password"})
    assert_problem(wrong, 401)


async def test_repeated_wrong_passwords_are_throttled(http: httpx.AsyncClient) -> None:
    email = f"guessed-{secrets.token_hex(3)}@example.org"
    await register(http, email)
    codes = []
    for _ in range(30):
        answer = await http.post("/api/v1/auth/login", json={"email": email, "password": "a wrong guess"})
        codes.append(answer.status_code)
        if answer.status_code == 429:
            assert_problem(answer, 429)
            break
    assert codes[-1] == 429, codes
    assert set(codes[:-1]) == {401}, codes


async def test_the_worker_delivers_mail_to_the_console_and_its_link_works(
    http: httpx.AsyncClient, confer_dev: ConferDev
) -> None:
    """Registration's verification mail goes through the outbox and the in-process worker to the console."""
    email = f"mailed-{secrets.token_hex(3)}@example.org"
    await register(http, email)
    mail = confer_dev.wait_for_output(rf"To: {re.escape(email)}\n(?:.*\n)*?.*token=([A-Za-z0-9_\-]+)")
    verified = await http.post("/api/v1/auth/verify-email", json={"token": mail.group(1)})
    assert verified.status_code == 200, verified.text


async def test_a_demo_client_books_a_demo_professionals_free_slot_and_hears_it_on_the_socket(
    http: httpx.AsyncClient, confer_dev: ConferDev
) -> None:
    client = await sign_in(http, DEMO_CLIENT)
    offering = await a_consultation_of(http, DEMO_PROFESSIONAL)
    slot = await first_free_slot(http, offering)
    socket_url = confer_dev.url.replace("http://", "ws://") + "/api/v1/ws"
    async with websockets.connect(socket_url) as socket:
        await socket.send(json.dumps({"type": "auth", "token": client["Authorization"].removeprefix("Bearer ")}))
        await receive(socket, "ready")
        booked = await http.post(
            "/api/v1/bookings", headers=client, json={"offering_id": offering["id"], "starts_at": slot}
        )
        assert booked.status_code == 201, booked.text
        update = await receive(socket, "booking.updated")
    assert update["data"]["booking"]["id"] == booked.json()["id"]
    again = await http.post("/api/v1/bookings", headers=client, json={"offering_id": offering["id"], "starts_at": slot})
    assert_problem(again, 409)


async def a_consultation_of(http: httpx.AsyncClient, professional: str) -> dict[str, Any]:
    offerings = await http.get("/api/v1/me/offerings", headers=await sign_in(http, professional))
    assert offerings.status_code == 200, offerings.text
    free = [o for o in offerings.json() if o["kind"] == "consultation" and o["price_minor"] == 0]
    assert free, offerings.json()
    return dict(free[0])


async def first_free_slot(http: httpx.AsyncClient, offering: dict[str, Any]) -> str:
    today = server_today(await http.get("/healthz"))
    answer = await http.get(
        f"/api/v1/professionals/{offering['professional_id']}/slots",
        params={
            "offering_id": offering["id"],
            "from": (today + timedelta(days=2)).isoformat(),
            "to": (today + timedelta(days=9)).isoformat(),
            "tz": "UTC",
        },
    )
    assert answer.status_code == 200, answer.text
    slots = answer.json()["slots"]
    assert slots, answer.json()
    starts_at: str = slots[0]["starts_at"]
    return starts_at


async def receive(socket: Any, kind: str) -> dict[str, Any]:
    async with asyncio.timeout(WAIT):
        while True:
            message: dict[str, Any] = json.loads(await socket.recv())
            if message["type"] == kind:
                return message
