"""Sessions across tabs and sockets, in a real browser: two tabs of one person outlive their access token together
(one refresh between them, no reuse taken for a leak), and a socket whose session ends closes and hears nothing."""

from __future__ import annotations

import asyncio
import functools
import inspect
import json
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import websockets
from playwright.async_api import Page, WebSocket, expect

from confer.core import realtime
from confer.core.clock import OffsetClock
from confer.core.runtime import Runtime
from confer.modules.accounts.tables import AuthSession, RefreshToken
from tests.e2e.conftest import OpenVisitor, Visitor
from tests.e2e.room import live_at, sign_in
from tests.support import bearer, login, register

WAIT = 15.0
CLOSE_CODES = """
(() => {
  // Record the close code of every WebSocket the page opens (the app's socket is not reachable from the test).
  const Native = window.WebSocket;
  window.__closeCodes = [];
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("close", (event) => window.__closeCodes.push(event.code));
    }
  };
})();
"""


class Frames:
    """What a page's sockets sent and received, as parsed JSON."""

    def __init__(self, page: Page) -> None:
        self.sent: list[dict[str, Any]] = []
        self.received: list[dict[str, Any]] = []
        page.on("websocket", self._watch)

    def _watch(self, socket: WebSocket) -> None:
        socket.on("framesent", lambda payload: self.sent.append(json.loads(payload)))
        socket.on("framereceived", lambda payload: self.received.append(json.loads(payload)))


async def until(condition: Callable[[], bool | Awaitable[bool]], what: str) -> None:
    try:
        async with asyncio.timeout(WAIT):
            while True:
                result = condition()
                if await result if inspect.isawaitable(result) else result:
                    return
                await asyncio.sleep(0.05)
    except TimeoutError:
        raise AssertionError(f"no {what} within {WAIT} s") from None


def heard(frames: Frames, kind: str) -> bool:
    return any(m["type"] == kind for m in frames.received)


async def move_time(clock: OffsetClock, visitor: Visitor, delta: timedelta) -> None:
    """The app's clock first, then the browser's (its timers that fall due run): tokens the browser gets are issued
    at the new time."""
    clock.advance(delta)
    await visitor.context.clock.fast_forward(int(delta.total_seconds() * 1000))


async def open_bookings(page: Page) -> int:
    """Follow the app's own link (no reload: the tab keeps the tokens it holds in memory); the API's answer."""
    async with page.expect_response(lambda r: urlsplit(r.url).path == "/api/v1/bookings") as info:
        await page.get_by_role("link", name="My bookings").first.click()
    return (await info.value).status


async def test_two_tabs_outlive_the_access_token_with_one_refresh_and_their_sockets_stay_authenticated(
    client: httpx.AsyncClient, clock: OffsetClock, runtime: Runtime, visitors: OpenVisitor
) -> None:
    await register(client, "tabs@example.org")
    visitor = await visitors()
    await visitor.context.add_init_script(CLOSE_CODES)
    await live_at(visitor, clock.now())
    first = visitor.page
    first_frames = Frames(first)
    refreshes: list[str] = []
    visitor.context.on("request", lambda r: refreshes.append(r.url) if r.url.endswith("/auth/refresh") else None)
    await sign_in(first, "tabs@example.org")
    second = await visitor.context.new_page()
    second_frames = Frames(second)
    await second.goto("/")
    await expect(second.get_by_role("button", name="Sign out").first).to_be_attached()
    await until(lambda: heard(first_frames, "ready") and heard(second_frames, "ready"), "socket ready")

    # shortly before the access token expires, the tabs refresh: once between them
    lifetime = runtime.settings.access_token_seconds
    await move_time(clock, visitor, timedelta(seconds=lifetime - 10))

    async def refreshed_once() -> bool:
        tokens: int = await RefreshToken.count()
        return tokens == 2

    await until(refreshed_once, "one refresh")
    # each tab's open socket takes the new token, before the old one expires
    for frames in (first_frames, second_frames):
        await until(functools.partial(heard, frames, "authenticated"), "re-authentication on the socket")

    # well past the first access token's expiry and the refresh grace window, each tab makes authenticated calls
    await move_time(clock, visitor, timedelta(seconds=runtime.settings.refresh_grace_seconds + 60))
    assert await open_bookings(first) == 200
    assert await open_bookings(second) == 200
    for page in (first, second):
        await expect(page.get_by_role("button", name="Sign out").first).to_be_visible()

    sessions = await AuthSession.select(AuthSession.revoked_at, AuthSession.revoked_reason)
    assert sessions == [{"revoked_at": None, "revoked_reason": None}]  # one family, alive
    assert await RefreshToken.count() == 2
    assert len(refreshes) == 1  # single-flight across the tabs, not two refreshes the grace window forgave
    # neither socket was closed for an expired token (nor reconnected)
    for frames in (first_frames, second_frames):
        assert [m["type"] for m in frames.received].count("ready") == 1
    for page in (first, second):
        assert await page.evaluate("window.__closeCodes") == []


async def test_a_tab_whose_session_is_ended_elsewhere_closes_its_socket_hears_nothing_more_and_signs_out(
    client: httpx.AsyncClient, runtime: Runtime, server: str, visitors: OpenVisitor
) -> None:
    account = await register(client, "ended@example.org")
    visitor = await visitors()
    await visitor.context.add_init_script(CLOSE_CODES)
    frames = Frames(visitor.page)
    await sign_in(visitor.page, "ended@example.org")
    await until(lambda: heard(frames, "ready"), "socket ready")
    tab_tokens = json.loads(await visitor.page.evaluate("localStorage.getItem('confer.tokens')"))

    phone = await login(client, "ended@example.org", user_agent="phone")  # another session stays open
    async with websockets.connect(f"{server.replace('http://', 'ws://')}/api/v1/ws") as still_open:
        await still_open.send(json.dumps({"type": "auth", "token": phone["access_token"]}))
        assert json.loads(await still_open.recv())["type"] == "ready"

        # the tab's session ends (signed out with its token from elsewhere), then the account is sent a message
        ended = await client.post("/api/v1/auth/logout", headers=bearer(tab_tokens["accessToken"]))
        assert ended.status_code == 204
        await realtime.notify_users(runtime, [account["id"]], "test.secret", {"n": 1})
        await realtime.notify_users(runtime, [account["id"]], "test.marker", {"n": 2})
        async with asyncio.timeout(WAIT):
            delivered = [json.loads(await still_open.recv())["type"] for _ in range(2)]
        assert delivered == ["test.secret", "test.marker"]  # delivered: the tab's socket would have had it by now

    await visitor.page.wait_for_function(f"window.__closeCodes.includes({realtime.Close.SESSION_ENDED})")
    assert "test.secret" not in [m["type"] for m in frames.received]
    await expect(visitor.page.get_by_role("button", name="Sign in").first).to_be_visible()  # the tab signed out
    assert await visitor.page.evaluate("localStorage.getItem('confer.tokens')") is None


async def test_signing_out_in_one_tab_signs_out_the_other_and_is_not_taken_for_an_ended_session(
    client: httpx.AsyncClient, visitors: OpenVisitor
) -> None:
    await register(client, "bye@example.org")
    visitor = await visitors()
    await visitor.context.add_init_script(CLOSE_CODES)
    first = visitor.page
    await sign_in(first, "bye@example.org")
    second = await visitor.context.new_page()
    await second.goto("/")
    await expect(second.get_by_role("button", name="Sign out").first).to_be_attached()
    await first.wait_for_function("window.__closeCodes !== undefined")

    async with first.expect_response(lambda r: urlsplit(r.url).path == "/api/v1/auth/logout") as logout:
        await first.get_by_role("button", name="Sign out").first.click()
    assert (await logout.value).status == 204
    for page in (first, second):
        await expect(page.get_by_role("link", name="Sign in").first).to_be_visible()
        await page.wait_for_function("window.__closeCodes.length > 0")  # its socket is gone
    # a later render drains whatever the closing sockets set off: no tab says its session ended on its own
    for page in (first, second):
        await page.get_by_role("link", name="Sign in").first.click()
        await expect(page.get_by_role("textbox", name="Password")).to_be_visible()
        await expect(page.get_by_text("Your session ended")).to_have_count(0)
    assert await AuthSession.select(AuthSession.revoked_reason) == [{"revoked_reason": "signed-out"}]
