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
from datetime import timedelta
from typing import Any

import httpx
import pytest
import websockets

from confer.core import realtime
from confer.core.clock import OffsetClock
from confer.core.runtime import Runtime
from tests.modules.booking.test_booking import book, free_slots, open_practice
from tests.support import PASSWORD, Mailbox, bearer, login, register, signed_in

WAIT = 10.0


@contextlib.contextmanager
def _api_process(environ: dict[str, str]) -> Iterator[str]:
    """Another API process (its own Redis connections and channels plugin), as a second replica would be."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "confer.app:app_from_environment", "--port", str(port)],
        env={**os.environ, **environ, "CONFER_LOG_LEVEL": "WARNING"},
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


@pytest.fixture
def second_process(test_environ: dict[str, str]) -> Iterator[str]:
    with _api_process(test_environ) as base:
        yield base


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


# --- sockets end with their session or their token ------------------------------------------------------------------


@pytest.fixture
def limited_process(test_environ: dict[str, str]) -> Iterator[str]:
    """Another API process with small socket limits (the counts of open sockets are shared through Redis)."""
    with _api_process(
        {
            **test_environ,
            "CONFER_WS_SOCKETS_PER_ACCOUNT": "2",
            "CONFER_WS_SOCKETS_PER_ADDRESS": "3",
            "CONFER_WS_MAX_FRAME_BYTES": "600",
            "CONFER_WS_MESSAGES_PER_MINUTE": "5",
        }
    ) as base:
        yield base


async def close_code(ws: Any) -> tuple[int, list[dict[str, Any]]]:
    """Read until the server closes the socket: its close code, and every message that came before."""
    heard: list[dict[str, Any]] = []
    async with asyncio.timeout(WAIT):
        with contextlib.suppress(websockets.ConnectionClosed):
            while True:
                heard.append(json.loads(await ws.recv()))
    assert ws.close_code is not None
    code: int = ws.close_code
    return code, heard


async def _end_by_logout(client: httpx.AsyncClient, ending: dict[str, Any], other: dict[str, Any]) -> None:
    assert (await client.post("/api/v1/auth/logout", headers=bearer(ending))).status_code == 204


async def _end_from_another_session(client: httpx.AsyncClient, ending: dict[str, Any], other: dict[str, Any]) -> None:
    sessions = (await client.get("/api/v1/auth/sessions", headers=bearer(other))).json()
    [target] = [s["id"] for s in sessions if not s["current"]]
    assert (await client.delete(f"/api/v1/auth/sessions/{target}", headers=bearer(other))).status_code == 204


async def _end_by_password_change(client: httpx.AsyncClient, ending: dict[str, Any], other: dict[str, Any]) -> None:
    changed = await client.post(
        "/api/v1/auth/password/change",
        headers=bearer(other),
        json={"current_password": PASSWORD, "new_password": "a brand new secret phrase"},
    )
    assert changed.status_code == 204, changed.text


ENDINGS = {
    "logout": _end_by_logout,
    "revoked from another session": _end_from_another_session,
    "password changed in another session": _end_by_password_change,
}


@pytest.mark.parametrize("ending", ENDINGS)
async def test_a_socket_on_another_process_closes_when_its_session_ends_and_hears_nothing_after(
    client: httpx.AsyncClient, runtime: Runtime, second_process: str, ending: str
) -> None:
    await register(client, "leaver@example.org")
    ended = await login(client, "leaver@example.org", user_agent="laptop")
    staying = await login(client, "leaver@example.org", user_agent="phone")
    user = await _me(client, ended)
    async with (
        socket_of(second_process, ended["access_token"]) as gone,
        socket_of(second_process, staying["access_token"]) as still_open,
    ):
        await receive(gone, "ready")
        await receive(still_open, "ready")
        await ENDINGS[ending](client, ended, staying)
        # published as soon as the session has ended, then a drain marker behind it
        await realtime.notify_users(runtime, [user], "test.secret", {"n": 1})
        await realtime.notify_users(runtime, [user], "test.marker", {"n": 2})
        heard_open = [(await receive(still_open, kind))["data"] for kind in ("test.secret", "test.marker")]
        code, heard = await close_code(gone)  # everything the ended socket was sent, up to its close
    assert heard_open == [{"n": 1}, {"n": 2}]  # the other session's socket heard both, in order
    assert code == realtime.Close.SESSION_ENDED
    assert [m["type"] for m in heard if m["type"].startswith("test.")] == []


async def test_a_password_reset_closes_every_socket_of_the_account(
    client: httpx.AsyncClient, server: str, mailbox: Mailbox
) -> None:
    tokens = await signed_in(client, "reset@example.org")
    base = server.replace("http://", "ws://")
    async with socket_of(base, tokens["access_token"]) as ws:
        await receive(ws, "ready")
        await client.post("/api/v1/auth/password/forgot", json={"email": "reset@example.org"})
        token = await mailbox.link_token("reset@example.org", "reset your")
        reset = await client.post(
            "/api/v1/auth/password/reset", json={"token": token, "new_password": "a brand new secret phrase"}
        )
        assert reset.status_code == 204
        assert (await close_code(ws))[0] == realtime.Close.SESSION_ENDED


async def test_a_socket_closes_when_its_token_expires_unless_a_fresh_one_arrives_on_it(
    client: httpx.AsyncClient, runtime: Runtime, server: str, clock: OffsetClock
) -> None:
    base = server.replace("http://", "ws://")
    await register(client, "keeper@example.org")
    kept_tokens = await login(client, "keeper@example.org")
    lapsed_tokens = await login(client, "keeper@example.org")
    user = await _me(client, kept_tokens)
    lifetime = runtime.settings.access_token_seconds
    async with (
        socket_of(base, kept_tokens["access_token"]) as kept,
        socket_of(base, lapsed_tokens["access_token"]) as lapsed,
    ):
        await receive(kept, "ready")
        await receive(lapsed, "ready")
        clock.advance(timedelta(seconds=lifetime - 30))  # the client refreshes shortly before the expiry
        fresh = (await client.post("/api/v1/auth/refresh", json={"refresh_token": kept_tokens["refresh_token"]})).json()
        await kept.send(json.dumps({"type": "auth", "token": fresh["access_token"]}))
        renewed = await receive(kept, "authenticated")
        assert renewed["expires_at"] > int(clock.now().timestamp()) + lifetime - 5

        clock.advance(timedelta(seconds=60))  # past the first token's expiry
        await realtime.notify_users(runtime, [user], "test.after-expiry", {"n": 1})
        assert (await receive(kept, "test.after-expiry"))["data"] == {"n": 1}
        code, heard = await close_code(lapsed)
    assert code == realtime.Close.TOKEN_REFUSED
    assert "test.after-expiry" not in [m["type"] for m in heard]


async def test_a_fresh_token_of_another_account_closes_the_socket(client: httpx.AsyncClient, server: str) -> None:
    mine = await signed_in(client, "owner@example.org")
    theirs = await signed_in(client, "intruder@example.org")
    async with socket_of(server.replace("http://", "ws://"), mine["access_token"]) as ws:
        await receive(ws, "ready")
        await ws.send(json.dumps({"type": "auth", "token": theirs["access_token"]}))
        assert (await close_code(ws))[0] == realtime.Close.POLICY_VIOLATION


# --- limits and hostile frames --------------------------------------------------------------------------------------

NESTED = '{"type": "auth", "token": "x", "deep": ' + "[" * 100_000 + "]" * 100_000 + "}"


@pytest.mark.parametrize(
    "first_frame",
    [NESTED, "[" * 5000, "not json at all", b"\x00\xff binary", '["auth"]', '{"type": "auth", "after": "soon"}'],
    ids=["deeply nested", "unclosed nesting", "garbage", "binary", "an array", "a wrong field type"],
)
async def test_a_first_frame_that_is_not_the_protocol_closes_with_a_policy_violation(
    server: str, first_frame: str | bytes
) -> None:
    async with websockets.connect(f"{server.replace('http://', 'ws://')}/api/v1/ws", max_size=None) as ws:
        await ws.send(first_frame)
        code, _ = await close_code(ws)
    # 1009 for the frames larger than the limit, 1008 for the others: never 1011 (a server error)
    assert code == (realtime.Close.TOO_BIG if len(first_frame) > 8192 else realtime.Close.POLICY_VIOLATION)


async def test_sockets_per_account_and_per_address_are_limited_across_processes(
    client: httpx.AsyncClient, server: str, limited_process: str
) -> None:
    alice = await signed_in(client, "alice@example.org")
    bob = await signed_in(client, "bob@example.org")
    async with contextlib.AsyncExitStack() as stack:
        # two of alice's sockets on the limited process and one of bob's (the main process's own limit is higher)
        for base, tokens in ((limited_process, alice), (limited_process, alice), (limited_process, bob)):
            ws = await stack.enter_async_context(socket_of(base, tokens["access_token"]))
            await receive(ws, "ready")
        async with socket_of(limited_process, alice["access_token"]) as third:
            code, _ = await close_code(third)
            assert code == realtime.Close.TOO_MANY
            assert third.close_reason == "too many open sockets for this account"
        async with socket_of(limited_process, bob["access_token"]) as fourth_here:
            code, _ = await close_code(fourth_here)
            assert code == realtime.Close.TOO_MANY
            assert fourth_here.close_reason == "too many open sockets for this address"
    # closed sockets give their slots back
    async with socket_of(limited_process, alice["access_token"]) as again:
        await receive(again, "ready")


async def test_frames_too_large_or_too_fast_close_the_socket(client: httpx.AsyncClient, limited_process: str) -> None:
    tokens = await signed_in(client, "chatty@example.org")
    async with socket_of(limited_process, tokens["access_token"]) as ws:
        await receive(ws, "ready")
        await ws.send(json.dumps({"type": "ping", "padding": "x" * 600}))
        assert (await close_code(ws))[0] == realtime.Close.TOO_BIG
    async with socket_of(limited_process, tokens["access_token"]) as ws:
        await receive(ws, "ready")
        for _ in range(5):  # with the hello, one more than the five a minute allows
            await ws.send('{"type": "ping"}')
        code, heard = await close_code(ws)
    assert code == realtime.Close.TOO_MANY
    assert [m["type"] for m in heard] == ["pong"] * 4
