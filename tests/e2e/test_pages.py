"""The main pages, for a visitor, a client and a professional, at desktop and phone width: each renders its content,
axe-core finds no serious or critical accessibility violation, no page logs a console error, and a screenshot of
each is kept as a test artifact (test-artifacts/e2e)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.e2e.conftest import DESKTOP, PHONE, ROOT, OpenVisitor
from tests.e2e.room import sign_in
from tests.modules.booking.test_booking import book, free_slots, open_practice
from tests.modules.video.test_join_rules import PATIENT, PRO
from tests.support import bearer, signed_in

AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}

VISITOR_PAGES = {"search": "/", "sign-in": "/signin", "register": "/register"}
CLIENT_PAGES = {
    "professional": "/professionals/{professional}",
    "my-bookings": "/bookings",
    "account": "/account",
}
PROFESSIONAL_PAGES = {
    "pro-profile": "/pro/profile",
    "pro-offerings": "/pro/offerings",
    "pro-availability": "/pro/availability",
    "pro-calendar": "/pro/calendar",
    "pro-earnings": "/pro/earnings",
}


async def violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical findings on the page as it is now."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: install the web client's packages (cd web && npm ci)")
    await page.evaluate(AXE.read_text())  # evaluated, not a <script> tag: the app's CSP allows no inline script
    found: list[dict[str, Any]] = await page.evaluate(
        "async () => (await axe.run(document, { resultTypes: ['violations'] })).violations"
        ".map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }))"
    )
    return [v for v in found if v["impact"] in BLOCKING]


async def check_pages(page: Page, pages: dict[str, str], width: str, artifacts: Path, **ids: str) -> list[str]:
    """Open each page, wait for its heading, screenshot it and run axe; returns the problems found."""
    problems = []
    for name, path in pages.items():
        await page.goto(path.format(**ids))
        await expect(page.get_by_role("heading").first).to_be_visible()
        await page.wait_for_load_state("networkidle")
        await page.screenshot(path=artifacts / f"{name}-{width}.png", full_page=True)
        problems += [
            f"{name} ({width}): {v['id']} [{v['impact']}] {v['help']} at {v['nodes']}" for v in await violations(page)
        ]
    return problems


@pytest.mark.parametrize("width", ["desktop", "phone"])
async def test_main_pages_are_accessible_at_desktop_and_phone_width(
    width: str, client: httpx.AsyncClient, visitors: OpenVisitor, artifacts: Path
) -> None:
    practice = await open_practice(client, PRO)
    patient = bearer(await signed_in(client, PATIENT))
    await book(client, patient, practice, (await free_slots(client, practice))[0])
    viewport = DESKTOP if width == "desktop" else PHONE

    anonymous, patient_view, pro_view = [await visitors("Europe/London", viewport) for _ in range(3)]
    problems = await check_pages(anonymous.page, VISITOR_PAGES, width, artifacts)
    await sign_in(patient_view.page, PATIENT)
    problems += await check_pages(patient_view.page, CLIENT_PAGES, width, artifacts, professional=practice.id)
    await sign_in(pro_view.page, PRO)
    problems += await check_pages(pro_view.page, PROFESSIONAL_PAGES, width, artifacts)
    assert not problems, "\n".join(problems)


async def test_the_keyboard_reaches_the_content_first(visitors: OpenVisitor) -> None:
    visitor = await visitors()
    await visitor.page.goto("/")
    await expect(visitor.page.get_by_role("heading", name="Find a professional")).to_be_visible()  # rendered
    await visitor.page.keyboard.press("Tab")
    await expect(visitor.page.get_by_role("link", name="Skip to content")).to_be_focused()
    await visitor.page.keyboard.press("Enter")
    await expect(visitor.page.locator("#main")).to_be_focused()
