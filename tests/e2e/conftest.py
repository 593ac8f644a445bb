"""End-to-end tests: Debian's Chromium (never a downloaded browser) driven by Playwright against the real Confer the
test session serves (PostgreSQL, Redis, its worker), its built web client, and real Janus media nodes.

Chromium's fake camera and microphone feed the room (``--use-fake-device-for-media-stream``); the page is served from
127.0.0.1, a secure context, and reaches the nodes' WebSockets in their network namespaces (tests/media)."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, ConsoleMessage, Page, async_playwright

from confer.core.runtime import Runtime
from confer.settings import Settings
from tests.media.conftest import janus_fleet  # noqa: F401 - the fixture, for the media plane below
from tests.media.control_plane import MediaPlane, StartFleet, media_plane

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
CHROMIUM = os.environ.get("CONFER_E2E_CHROMIUM", "/usr/bin/chromium")
FAILED_REQUEST = re.compile(r"Failed to load resource: the server responded with a status of (\d+)")
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@dataclass
class Visitor:
    """One person's browser context, with the console errors its pages logged."""

    context: BrowserContext
    page: Page
    errors: list[str] = field(default_factory=list)
    expected_statuses: set[int] = field(default_factory=set)
    """HTTP statuses a test provokes on purpose (Chromium logs every failed request to the console)."""

    def watch(self, page: Page) -> None:
        def on_console(message: ConsoleMessage) -> None:
            failed = FAILED_REQUEST.search(message.text)
            if message.type == "error" and not (failed and int(failed[1]) in self.expected_statuses):
                self.errors.append(f"{page.url}: {message.text}")

        page.on("console", on_console)
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: {error}"))


OpenVisitor = Callable[..., Awaitable[Visitor]]


@pytest.fixture(scope="session")
def web_dist() -> Path:
    dist = ROOT / "web" / "dist"
    if not (dist / "index.html").exists():
        pytest.fail("web/dist is missing: build the web client first (scripts/web build; scripts/test does it)")
    return dist


@pytest.fixture(scope="session")
def artifacts() -> Path:
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    return ARTIFACTS


@pytest.fixture
async def browser(web_dist: Path) -> AsyncIterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: install Debian's Chromium (apt-get install chromium)")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"],
        )
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
async def visitors(browser: Browser, server: str) -> AsyncIterator[OpenVisitor]:
    """``await visitors(zone)`` opens a new person's browser context on the app, in that time zone; at the end, no
    page may have logged an error to the console."""
    opened: list[Visitor] = []

    async def open_visitor(zone: str = "UTC", viewport: dict[str, int] | None = None) -> Visitor:
        context = await browser.new_context(
            base_url=server,
            timezone_id=zone,
            locale="en-GB",
            viewport=viewport or DESKTOP,
            permissions=["camera", "microphone"],
        )
        context.set_default_timeout(15_000)
        page = await context.new_page()
        visitor = Visitor(context, page)
        visitor.watch(page)
        context.on("page", visitor.watch)
        opened.append(visitor)
        return visitor

    yield open_visitor
    errors = [error for visitor in opened for error in visitor.errors]
    for visitor in opened:
        with contextlib.suppress(Exception):
            await visitor.context.close()
    assert not errors, "console errors:\n" + "\n".join(errors)


@pytest.fixture
async def media(janus_fleet: StartFleet, runtime: Runtime, settings: Settings) -> AsyncIterator[MediaPlane]:  # noqa: F811
    """Two media nodes, so a room has somewhere to go when its node fails."""
    async with media_plane(janus_fleet, runtime, settings, 2) as plane:
        yield plane
