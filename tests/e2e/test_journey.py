"""The whole journey in real browsers, as people do it: a professional registers and sets up their practice, a client
in another time zone finds and books them, both meet in the video room and see each other, a chat message arrives,
the client cancels, and the professional sees it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
from playwright.async_api import Page, expect

from confer.core.clock import OffsetClock
from tests.e2e.conftest import OpenVisitor, Visitor
from tests.e2e.room import enter_room, live_at, sees_video_playing
from tests.media.control_plane import MediaPlane
from tests.modules.video.test_join_rules import at
from tests.support import PASSWORD, Mailbox

PRO_NAME = "Dr Ana Lima"
PRO_ZONE = "Europe/Paris"
CLIENT_ZONE = "Asia/Tokyo"
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


async def register(page: Page, mailbox: Mailbox, name: str, email: str, *, professional: bool = False) -> None:
    """Create an account in the form, then confirm its address with the mailed link (booking and publishing need it)."""
    await page.goto("/register")
    await page.get_by_label("Your name").fill(name)
    await page.get_by_label("Email").fill(email)
    await page.get_by_role("textbox", name="Password").fill(PASSWORD)
    if professional:
        await page.get_by_label("Professional offering consultations").check()
    await page.get_by_role("button", name="Create account").click()
    await expect(page.get_by_role("button", name="Sign out").first).to_be_attached()
    await page.goto(f"/verify-email?token={await mailbox.link_token(email, 'confirm your e-mail')}")
    await expect(page.get_by_role("status").filter(has_text="Your email address is verified.")).to_be_visible()


async def set_up_practice(page: Page) -> None:
    await page.get_by_role("link", name="My practice").first.click()
    await page.goto("/pro/profile")
    await page.get_by_label("Name shown to clients").fill(PRO_NAME)
    await page.get_by_label("Headline").fill("Psychologist for expatriates")
    languages = page.get_by_role("combobox", name="Languages you consult in")  # the browser's (English) is there
    await languages.fill("Portu")
    await page.get_by_role("option", name="Portuguese", exact=True).click()
    await page.get_by_role("combobox", name="Specialties").fill("Psych")
    await page.get_by_role("option", name="Psychology", exact=True).click()
    await page.get_by_label("Show my profile in search").check()
    await page.get_by_role("button", name="Create profile").click()
    await expect(page.get_by_role("button", name="Save profile")).to_be_visible()

    await page.goto("/pro/offerings")
    await page.get_by_role("button", name="New offering").click()
    await page.get_by_label("Title").fill("First consultation")
    await page.get_by_label("Duration (minutes)").fill("30")
    await page.get_by_role("button", name="Create offering").click()
    await expect(page.get_by_role("button", name="Edit First consultation")).to_be_visible()

    await page.goto("/pro/availability")
    for day in WEEKDAYS:  # 09:00-17:00 in the professional's zone, every day
        await page.get_by_role("button", name=f"Add time on {day}").click()
    await page.get_by_role("button", name="Save availability").click()
    await expect(page.get_by_text("Your weekly hours are saved.")).to_be_visible()


def after_working_hours(clock: OffsetClock) -> None:
    """The app's clock at the professional's next 20:00, so that the first free time is the next morning, hours away,
    whatever the hour the test runs (booked in working hours, it could be minutes away, its video window open)."""
    now = clock.now().astimezone(ZoneInfo(PRO_ZONE))
    evening = now.replace(hour=20, minute=0, second=0, microsecond=0)
    if evening <= now:
        evening += timedelta(days=1)  # the same wall-clock time the next day
    clock.advance(evening.astimezone(UTC) - clock.now())


async def book_first_free_time(page: Page) -> str:
    """Find the professional by name, open their page and book the first free time; returns its accessible name."""
    await page.goto("/")
    await page.get_by_label("Search", exact=True).fill("Lima")
    await page.get_by_role("button", name="Search").click()
    await page.get_by_role("link", name=f"View {PRO_NAME}'s profile").click()
    slot = page.get_by_role("button", name=re.compile(r"^Book ")).first
    label = await slot.get_attribute("aria-label") or ""
    await slot.click()
    await page.get_by_role("button", name="Book this time").click()
    await expect(page.get_by_role("alert").filter(has_text="Booked.").first).to_be_visible()
    return label


async def test_a_professional_and_a_client_in_another_zone_meet_by_video_then_the_client_cancels(
    media: MediaPlane, client: httpx.AsyncClient, clock: OffsetClock, visitors: OpenVisitor, mailbox: Mailbox
) -> None:
    after_working_hours(clock)
    pro: Visitor = await visitors(PRO_ZONE)
    patient: Visitor = await visitors(CLIENT_ZONE)
    await register(pro.page, mailbox, "Ana Lima", "ana@example.org", professional=True)
    await set_up_practice(pro.page)
    await register(patient.page, mailbox, "Kenji Sato", "kenji@example.org")
    booked_label = await book_first_free_time(patient.page)

    # the booking, as the API has it: its times are shown to the client in Tokyo time
    await patient.page.goto("/bookings")
    card = patient.page.get_by_role("article").first
    signed_in = await client.post("/api/v1/auth/login", json={"email": "kenji@example.org", "password": PASSWORD})
    token = signed_in.json()["access_token"]
    [booking] = (await client.get("/api/v1/bookings", headers={"Authorization": f"Bearer {token}"})).json()["items"]
    starts = datetime.fromisoformat(booking["starts_at"])
    tokyo = starts.astimezone(ZoneInfo(CLIENT_ZONE)).strftime("%H:%M")
    assert tokyo in booked_label
    await expect(card).to_contain_text(tokyo)
    await expect(card.get_by_role("button", name="Join video")).to_be_disabled()  # not yet: the room is not open

    # five minutes before the start, for the app and for both browsers
    await at(client, clock, booking["starts_at"], -timedelta(minutes=5))
    for visitor in (pro, patient):
        await live_at(visitor, starts - timedelta(minutes=5))
    await patient.page.goto("/bookings")
    await patient.page.get_by_role("link", name="Join video").first.click()
    await enter_room(patient.page)
    await pro.page.goto("/pro/calendar")
    await pro.page.get_by_role(
        "link", name=re.compile("^Details, chat and video: First consultation with Kenji Sato")
    ).click()
    await pro.page.get_by_role("link", name="Join video").click()
    await enter_room(pro.page)
    for visitor in (pro, patient):
        await sees_video_playing(visitor.page)

    # a chat message, from the client's room to the professional's
    await patient.page.get_by_role("button", name="Chat").click()
    await patient.page.get_by_role("textbox", name="Message").fill("Can you hear me?")
    await patient.page.get_by_role("button", name="Send").click()
    await expect(patient.page.get_by_role("log")).to_contain_text("Can you hear me?")
    await pro.page.get_by_role("button", name="Chat").click()
    await expect(pro.page.get_by_role("log")).to_contain_text("Can you hear me?")

    # the client leaves and cancels; the professional's room closes and their calendar shows it
    await patient.page.keyboard.press("Escape")
    await patient.page.get_by_role("button", name="Leave").click()
    pro.expected_statuses.add(409)  # the room closes under the professional, who asks to enter again: "cancelled"
    await patient.page.get_by_role("button", name="Cancel").first.click()
    await patient.page.get_by_role("button", name="Cancel booking").click()
    await expect(patient.page.get_by_text("The booking is cancelled.")).to_be_visible()
    await expect(pro.page.get_by_role("status").filter(has_text="cancelled")).to_be_visible(timeout=20_000)
    await pro.page.goto("/pro/calendar")
    await expect(pro.page.get_by_role("article", name=re.compile("Kenji Sato"))).to_contain_text("Cancelled")
