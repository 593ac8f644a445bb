"""The real-time socket: two app processes on real Redis, only one's own channels, resuming without loss."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import websockets

from confer.core import realtime
from confer.core.runtime import Runtime
from tests.modules.booking.test_booking import book, free_slots, open_practice
from tests.support import bearer, signed_in

WAIT = 10.0


@pytest.fixture
def second_process(test_environ: dict[str, str]) -> Iterator[str]:
    """Another API process (its own Redis connections and channels plugin), as a second replica would be."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "confer.app:app_from_environment", "--port", str(port)],
        env={**os.environ, **test_environ, "CONFER_LOG_LEVEL": "WARNING"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(200):
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=0.5).status_code == 200:
                    break
            if process.poll() is not None:
                raise RuntimeError(process.stderr.read().decode() if process.stderr else "it exited")
            time.sleep(0.05)
        yield f"ws://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


@contextlib.asynccontextmanager
async def socket_of(base: str, token: str, after: int | None = None) -> AsyncIterator[Any]:
    async with websockets.connect(f"{base}/api/v1/ws") as ws:
        hello: dict[str, Any] = {"type": "auth", "token": token}
        if after is not None:
            hello["after"] = after
        await ws.send(json.dumps(hello))
        yield ws


async def receive(ws: Any, kind: str) -> dict[str, Any]:
    async with asyncio.timeout(WAIT):
        while True:
            message: dict[str, Any] = json.loads(await ws.recv())
            if message["type"] == kind:
                return message


async def heard_before_marker(ws: Any, runtime: Runtime, user_id: str) -> list[dict[str, Any]]:
    """What ``ws`` (a socket of ``user_id``) hears until a marker published to that person now arrives. One process's
    sockets share one pub/sub connection and messages are numbered in publishing order, so whatever was published
    earlier and would reach this socket at all has arrived by then: "nothing more came" without a fixed wait."""
    marker = secrets.token_hex(8)
    await realtime.notify_users(runtime, [user_id], "test.marker", {"marker": marker})
    heard: list[dict[str, Any]] = []
    async with asyncio.timeout(WAIT):
        while True:
            message: dict[str, Any] = json.loads(await ws.recv())
            if message["type"] == "test.marker" and message["data"] == {"marker": marker}:
                return heard
            heard.append(message)


async def test_an_event_published_through_one_process_reaches_a_socket_on_the_other(
    client: httpx.AsyncClient, second_process: str, runtime: Runtime
) -> None:
    practice = await open_practice(client)
    patient = await signed_in(client, "patient@example.org")
    stranger = await signed_in(client, "stranger@example.org")
    async with (
        socket_of(second_process, patient["access_token"]) as mine,
        socket_of(second_process, stranger["access_token"]) as theirs,
    ):
        assert (await receive(mine, "ready"))["channels"] == [f"user:{await _me(client, patient)}"]
        await receive(theirs, "ready")
        booking = await book(client, bearer(patient), practice, (await free_slots(client, practice))[0])
        # the worker (in the first process) publishes; the second process's socket hears it
        update = await receive(mine, "booking.updated")
        assert update["channel"] == f"booking:{booking['id']}"
        assert update["data"]["booking"]["id"] == booking["id"]
        assert update["seq"] > 0
        assert await heard_before_marker(theirs, runtime, await _me(client, stranger)) == []  # nothing of it


async def test_a_reconnecting_client_gets_what_it_missed_in_order_and_once(
    client: httpx.AsyncClient, runtime: Runtime, server: str
) -> None:
    tokens = await signed_in(client, "someone@example.org")
    user = await _me(client, tokens)
    base = server.replace("http://", "ws://")
    async with socket_of(base, tokens["access_token"]) as ws:
        ready = await receive(ws, "ready")
        await realtime.notify_users(runtime, [user], "test.note", {"n": 1})
        first = await receive(ws, "test.note")
    for n in (2, 3, 4):  # while away
        await realtime.notify_users(runtime, [user], "test.note", {"n": n})
    async with socket_of(base, tokens["access_token"], after=first["seq"]) as ws:
        missed = [await receive(ws, "test.note") for _ in range(3)]
        assert [m["data"]["n"] for m in missed] == [2, 3, 4]
        again = await receive(ws, "ready")
        assert again["seq"] == missed[-1]["seq"]
        await realtime.notify_users(runtime, [user], "test.note", {"n": 5})
        assert (await receive(ws, "test.note"))["data"]["n"] == 5
    assert ready["seq"] == -1


async def test_a_socket_without_a_valid_token_is_closed(server: str) -> None:
    base = server.replace("http://", "ws://")
    for hello in ({"type": "auth", "token": "not-a-token"}, {"type": "hello"}):
        async with websockets.connect(f"{base}/api/v1/ws") as ws:
            await ws.send(json.dumps(hello))
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await ws.recv()
            assert closed.value.rcvd is not None
            assert closed.value.rcvd.code == 4401


async def _me(client: httpx.AsyncClient, tokens: dict[str, Any]) -> str:
    me = await client.get("/api/v1/me", headers=bearer(tokens))
    user: str = me.json()["id"]
    return user
