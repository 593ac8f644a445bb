"""What the end-to-end tests do and check in the browser: sign in, enter a video room, see someone's video play."""

from __future__ import annotations

import asyncio
from datetime import datetime

from playwright.async_api import Page, expect

from tests.e2e.conftest import Visitor
from tests.support import PASSWORD

PLAYING_SECONDS = 20.0


async def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    await page.goto("/signin")
    await page.get_by_label("Email").fill(email)
    await page.get_by_role("textbox", name="Password").fill(password)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("button", name="Sign out").first).to_be_attached()


async def live_at(visitor: Visitor, instant: datetime) -> None:
    """The browser's clock runs from ``instant`` (the app's clock was moved there too)."""
    await visitor.context.clock.install(time=instant)


async def enter_room(page: Page) -> None:
    await page.get_by_role("button", name="Enter the room").click()
    await expect(page.get_by_role("button", name="Leave")).to_be_visible()


async def playing_videos(page: Page) -> list[dict[str, float]]:
    """Every remote video on the page: its size and its playback time."""
    found: list[dict[str, float]] = await page.evaluate(
        """() => [...document.querySelectorAll('video[data-feed^="feed-"]')].map((v) => ({
            width: v.videoWidth, height: v.videoHeight, time: v.currentTime }))"""
    )
    return found


async def sees_video_playing(page: Page, count: int = 1) -> None:
    """At least ``count`` remote videos with a picture whose time advances."""
    async with asyncio.timeout(PLAYING_SECONDS):
        while True:
            first = [v for v in await playing_videos(page) if v["width"] > 0 and v["height"] > 0]
            if len(first) >= count:
                await asyncio.sleep(1.0)
                later = await playing_videos(page)
                advancing = [b for a, b in zip(first, later, strict=False) if b["time"] > a["time"]]
                if len(advancing) >= count:
                    return
            await asyncio.sleep(0.25)
