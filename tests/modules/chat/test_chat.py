"""Chat through the running app: membership from bookings and classes, real time, history, limits, moderation."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import msgspec

from confer.core.clock import OffsetClock
from confer.core.runtime import Runtime
from confer.modules.chat.settings import ChatSettings
from tests.core.test_realtime import heard_before_marker, receive, socket_of
from tests.modules.booking.test_booking import book, free_slots, open_practice
from tests.modules.classes.test_classes import enrol, one_session, open_class
from tests.support import assert_problem, bearer, signed_in


async def a_booking(client: httpx.AsyncClient) -> tuple[str, dict[str, Any], dict[str, Any]]:
    practice = await open_practice(client)
    patient = await signed_in(client, "patient@example.org")
    booking = await book(client, bearer(patient), practice, (await free_slots(client, practice))[0])
    return booking["id"], patient, practice.tokens


@contextlib.contextmanager
def chat_settings(runtime: Runtime, **changes: Any) -> Iterator[None]:
    before = runtime.module_settings["chat"]
    runtime.module_settings["chat"] = msgspec.structs.replace(runtime.section("chat", ChatSettings), **changes)
    try:
        yield
    finally:
        runtime.module_settings["chat"] = before


async def test_a_client_and_a_professional_talk_in_real_time_and_nobody_else_listens(
    client: httpx.AsyncClient, server: str, runtime: Runtime
) -> None:
    booking_id, patient, pro = await a_booking(client)
    stranger = await signed_in(client, "stranger@example.org")
    base = server.replace("http://", "ws://")
    messages = f"/api/v1/conversations/{booking_id}/messages"
    async with (
        socket_of(base, pro["access_token"]) as pro_socket,
        socket_of(base, stranger["access_token"]) as stranger_socket,
    ):
        assert f"chat:{booking_id}" in (await receive(pro_socket, "ready"))["channels"]
        await receive(stranger_socket, "ready")
        sent = await client.post(messages, headers=bearer(patient), json={"body": "<b>Hello</b>\u0007 doctor\n"})
        assert sent.status_code == 201, sent.text
        assert sent.json()["body"] == "<b>Hello</b> doctor"  # kept as text, control characters dropped
        heard = await receive(pro_socket, "chat.message")
        assert heard["channel"] == f"chat:{booking_id}"
        assert heard["data"]["id"] == sent.json()["id"]
        stranger_id = (await client.get("/api/v1/me", headers=bearer(stranger))).json()["id"]
        assert await heard_before_marker(stranger_socket, runtime, stranger_id) == []  # it was published: see above

    listed = (await client.get("/api/v1/conversations", headers=bearer(pro))).json()["items"]
    assert [(c["id"], c["unread"], c["last_message"]) for c in listed] == [(booking_id, 1, "<b>Hello</b> doctor")]
    read = await client.post(f"/api/v1/conversations/{booking_id}/read", headers=bearer(pro), json={})
    assert read.status_code == 204, read.text
    assert (await client.get("/api/v1/conversations", headers=bearer(pro))).json()["items"][0]["unread"] == 0
    assert (await client.get("/api/v1/conversations", headers=bearer(stranger))).json()["items"] == []
    before = [(await client.get(path, headers=bearer(patient))).json() for path in (messages, "/api/v1/conversations")]
    for attempt in (
        client.get(messages, headers=bearer(stranger)),
        client.post(messages, headers=bearer(stranger), json={"body": "hi"}),
        client.post(f"/api/v1/conversations/{booking_id}/read", headers=bearer(stranger), json={}),
    ):
        assert_problem(await attempt, 404)
    after = [(await client.get(path, headers=bearer(patient))).json() for path in (messages, "/api/v1/conversations")]
    assert after == before  # nothing posted, nothing marked read


async def test_history_comes_newest_first_a_page_at_a_time(client: httpx.AsyncClient, runtime: Runtime) -> None:
    booking_id, patient, pro = await a_booking(client)
    messages = f"/api/v1/conversations/{booking_id}/messages"
    with chat_settings(runtime, messages_per_10_seconds=1000):
        for n in range(120):
            who = patient if n % 2 else pro
            assert (await client.post(messages, headers=bearer(who), json={"body": f"m{n}"})).status_code == 201
    seen: list[str] = []
    cursor = None
    while True:
        page = (await client.get(messages, headers=bearer(patient), params={"cursor": cursor} if cursor else {})).json()
        seen += [m["body"] for m in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"m{n}" for n in reversed(range(120))]
    assert_problem(await client.get(messages, headers=bearer(patient), params={"cursor": "nonsense"}), 422)


async def test_one_edits_and_deletes_only_ones_own_messages_within_the_window(
    client: httpx.AsyncClient, clock: OffsetClock, runtime: Runtime
) -> None:
    booking_id, patient, pro = await a_booking(client)
    messages = f"/api/v1/conversations/{booking_id}/messages"
    mine = (await client.post(messages, headers=bearer(patient), json={"body": "typo"})).json()
    theirs = (await client.post(messages, headers=bearer(pro), json={"body": "hello"})).json()

    asked_at = clock.now()
    edited = await client.patch(f"{messages}/{mine['id']}", headers=bearer(patient), json={"body": "fixed"})
    assert edited.status_code == 200, edited.text
    assert edited.json()["body"] == "fixed"
    assert asked_at <= datetime.fromisoformat(edited.json()["edited_at"]) <= clock.now()  # by the app's clock
    assert_problem(await client.patch(f"{messages}/{theirs['id']}", headers=bearer(patient), json={"body": "x"}), 404)
    assert_problem(await client.delete(f"{messages}/{theirs['id']}", headers=bearer(patient)), 404)

    clock.advance(timedelta(minutes=2))
    with chat_settings(runtime, edit_minutes=1):
        late = await client.patch(f"{messages}/{theirs['id']}", headers=bearer(pro), json={"body": "changed"})
    assert_problem(late, 409)
    clock.reset()
    assert (await client.delete(f"{messages}/{mine['id']}", headers=bearer(patient))).status_code == 204
    history = (await client.get(messages, headers=bearer(pro))).json()["items"]
    assert [(m["body"], m["deleted"]) for m in history] == [("hello", False), ("", True)]


async def test_bad_messages_and_floods_are_refused(client: httpx.AsyncClient, runtime: Runtime) -> None:
    booking_id, patient, _ = await a_booking(client)
    messages = f"/api/v1/conversations/{booking_id}/messages"
    for body in ({"body": ""}, {"body": " \u0001 "}, {"body": "x" * 4001}, {"text": "hi"}):
        assert_problem(await client.post(messages, headers=bearer(patient), json=body), 422)
    with chat_settings(runtime, messages_per_10_seconds=5):
        answers = await asyncio.gather(
            *(client.post(messages, headers=bearer(patient), json={"body": f"n{n}"}) for n in range(8))
        )
    assert sorted(a.status_code for a in answers) == [201] * 5 + [429] * 3
    assert len((await client.get(messages, headers=bearer(patient))).json()["items"]) == 5


async def test_a_class_host_mutes_and_removes_attendees_from_the_chat(
    client: httpx.AsyncClient, server: str, runtime: Runtime
) -> None:
    practice, class_id = await open_class(client, "coach@example.org", capacity=3)
    session = await one_session(client, practice, class_id)
    loud = await signed_in(client, "loud@example.org")
    calm = await signed_in(client, "calm@example.org")
    for who in (loud, calm):
        await enrol(client, bearer(who), session["id"])
    host = bearer(practice.tokens)
    chat = f"/api/v1/conversations/{session['id']}"
    loud_id = (await client.get("/api/v1/me", headers=bearer(loud))).json()["id"]

    assert (await client.post(f"{chat}/messages", headers=bearer(loud), json={"body": "first!"})).status_code == 201
    muted = await client.post(f"{chat}/members/{loud_id}/mute", headers=host, json={"minutes": 10})
    assert muted.status_code == 204, muted.text
    assert_problem(await client.post(f"{chat}/messages", headers=bearer(loud), json={"body": "x"}), 403, "chat-muted")
    assert_problem(await client.post(f"{chat}/members/{loud_id}/mute", headers=bearer(calm), json={}), 404)

    base = server.replace("http://", "ws://")
    async with (
        socket_of(base, loud["access_token"]) as loud_socket,
        socket_of(base, practice.tokens["access_token"]) as host_socket,
    ):
        assert f"chat:{session['id']}" in (await receive(loud_socket, "ready"))["channels"]
        await receive(host_socket, "ready")
        assert (await client.post(f"{chat}/members/{loud_id}/remove", headers=host)).status_code == 204
        await receive(loud_socket, "chat.removed")
        assert (await client.post(f"{chat}/messages", headers=bearer(calm), json={"body": "quiet"})).status_code == 201
        assert (await receive(host_socket, "chat.message"))["data"]["body"] == "quiet"  # published, then the marker
        assert await heard_before_marker(loud_socket, runtime, loud_id) == []  # removed: its messages no longer come
    assert_problem(await client.get(f"{chat}/messages", headers=bearer(loud)), 404)
    deleted = await client.delete(f"{chat}/messages/{(await _first(client, chat, host))['id']}", headers=host)
    assert deleted.status_code == 204  # the host deletes anyone's message


async def _first(client: httpx.AsyncClient, chat: str, headers: dict[str, str]) -> dict[str, Any]:
    items: list[dict[str, Any]] = (await client.get(f"{chat}/messages", headers=headers)).json()["items"]
    return items[-1]
