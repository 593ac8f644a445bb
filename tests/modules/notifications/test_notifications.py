"""Notifications through the running app and its worker: in-app, mail with a calendar invitation (read back from a
real SMTP server and parsed), preferences, reminders across a DST change, and each delivered once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import httpx
import icalendar

from confer.core.clock import OffsetClock
from confer.core.events import EventEnvelope
from confer.core.runtime import Runtime
from confer.modules.notifications import delivery
from confer.modules.notifications.service import notify, send_due_reminders
from confer.modules.notifications.tables import Delivery, Notification, Reminder
from tests.core.test_realtime import receive, socket_of
from tests.modules.booking.test_booking import book, free_slots, open_practice
from tests.support import Mailbox, assert_problem, bearer, signed_in

PATIENT = "patient@example.org"
PRO = "pro@example.org"


async def a_booking(client: httpx.AsyncClient) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    practice = await open_practice(client, PRO)
    patient = await signed_in(client, PATIENT)
    booking = await book(client, bearer(patient), practice, (await free_slots(client, practice))[0])
    return booking, patient, practice.tokens


async def wait_until(condition: Any, timeout: float = 15.0) -> None:
    async with asyncio.timeout(timeout):
        while not await condition():  # noqa: ASYNC110 - the worker (another task) changes the state
            await asyncio.sleep(0.05)


async def test_a_confirmed_booking_is_mailed_with_its_invitation_shown_in_app_and_in_real_time(
    client: httpx.AsyncClient, server: str, mailbox: Mailbox
) -> None:
    practice = await open_practice(client, PRO)  # its account's name is "Test Person"
    patient = await signed_in(client, PATIENT, name="Kenji Sato")
    async with socket_of(server.replace("http://", "ws://"), patient["access_token"]) as ws:
        await receive(ws, "ready")
        booking = await book(client, bearer(patient), practice, (await free_slots(client, practice))[0])
        live = await receive(ws, "notification")
    assert live["data"]["kind"] == "booking.confirmed"

    mail = await mailbox.wait_for(PATIENT, "Booking confirmed")
    text = mail.get_body(("plain",)).get_content()
    when = datetime.fromisoformat(booking["starts_at"]).astimezone(ZoneInfo("Europe/Paris"))
    on = f"on {when:%a %d %b %Y, %H:%M} (Europe/Paris) is confirmed."
    assert text.splitlines()[:3] == ["Hello Kenji Sato,", "", f"Consultation with Test Person {on}"]
    html = mail.get_body(("html",)).get_content()
    assert "<h1" in html
    invitation = next(part for part in mail.iter_attachments() if part.get_content_type() == "text/calendar")
    calendar = icalendar.Calendar.from_ical(invitation.get_content())
    assert calendar["method"] == "REQUEST"
    event = next(iter(calendar.walk("VEVENT")))
    assert str(event["uid"]) == f"{booking['id']}@confer"
    assert event.decoded("dtstart") == datetime.fromisoformat(booking["starts_at"])
    pro_mail = (await mailbox.wait_for(PRO, "Booking confirmed")).get_body(("plain",)).get_content()
    assert pro_mail.splitlines()[:3] == ["Hello Test Person,", "", f"Consultation with Kenji Sato {on}"]

    listed = (await client.get("/api/v1/notifications", headers=bearer(patient))).json()
    assert listed["unread"] == 1
    assert [n["kind"] for n in listed["items"]] == ["booking.confirmed"]
    assert listed["items"][0]["data"]["booking_id"] == booking["id"]
    read = await client.post("/api/v1/notifications/read", headers=bearer(patient), json={"all": True})
    assert read.json() == {"unread": 0}

    cancelled = await client.post(
        f"/api/v1/bookings/{booking['id']}/cancel", headers=bearer(patient), json={"reason": "x"}
    )
    assert cancelled.status_code == 200
    cancel_mail = await mailbox.wait_for(PRO, "Booking cancelled")
    ics = next(p for p in cancel_mail.iter_attachments() if p.get_content_type() == "text/calendar")
    assert icalendar.Calendar.from_ical(ics.get_content())["method"] == "CANCEL"


async def test_preferences_turn_channels_off_per_kind(client: httpx.AsyncClient, mailbox: Mailbox) -> None:
    practice = await open_practice(client, PRO)
    patient = await signed_in(client, PATIENT)
    current = (await client.get("/api/v1/me/notification-preferences", headers=bearer(patient))).json()
    assert all(p["enabled"] for p in current["preferences"])
    changed = await client.put(
        "/api/v1/me/notification-preferences",
        headers=bearer(patient),
        json=[
            {"kind": "booking.confirmed", "channel": "email", "enabled": False},
            {"kind": "booking.confirmed", "channel": "in_app", "enabled": False},
        ],
    )
    assert changed.status_code == 200, changed.text
    bad = [{"kind": "nope", "channel": "email", "enabled": False}]
    assert_problem(await client.put("/api/v1/me/notification-preferences", headers=bearer(patient), json=bad), 422)

    await book(client, bearer(patient), practice, (await free_slots(client, practice))[0])
    await mailbox.wait_for(PRO, "Booking confirmed")  # the professional still gets theirs
    # Both parties' notices of one event are recorded in one transaction, deliveries included, and only a delivery
    # row is ever mailed: the patient's notice is there, unlisted, with nothing to deliver, so no mail can follow.
    patient_id = UUID((await client.get("/api/v1/me", headers=bearer(patient))).json()["id"])
    kept = await Notification.select(Notification.kind, Notification.listed).where(Notification.recipient == patient_id)
    assert kept == [{"kind": "booking.confirmed", "listed": False}]
    assert await Delivery.count().where(Delivery.recipient == patient_id) == 0
    assert [m for m in mailbox.to(PATIENT) if "Booking" in str(m["Subject"])] == []
    assert (await client.get("/api/v1/notifications", headers=bearer(patient))).json()["items"] == []


async def test_a_replayed_event_or_a_repeated_job_sends_nothing_twice(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox
) -> None:
    await a_booking(client)
    await mailbox.wait_for(PATIENT, "Booking confirmed")
    await wait_until(_both_mails_sent)  # the professional's may still be on its way (it was a race)
    sent = await Delivery.select().where(Delivery.channel == "email")
    for row in sent:  # the same jobs again, and the sweeper
        assert await delivery.send_delivery({"runtime": runtime}, delivery_id=str(row["id"])) == "done already"
    notification = await Notification.select(Notification.event_key, Notification.data).first().output(load_json=True)
    assert notification is not None
    replay = EventEnvelope(
        event_id=int(notification["event_key"].removeprefix("event:")),
        topic="booking.confirmed",
        payload={"booking_id": notification["data"]["booking_id"]},
        dedupe_key="replayed",
    )
    await notify(runtime, replay)
    assert await Notification.count() == 2  # one each, as before
    # only a delivery row is ever mailed, and the replay made none: the rows and their states are as they were
    after = await Delivery.select().where(Delivery.channel == "email")
    assert sorted((r["id"], r["status"], r["attempts"]) for r in after) == sorted(
        (r["id"], r["status"], r["attempts"]) for r in sent
    )
    assert len([m for m in mailbox.to(PATIENT) if "Booking confirmed" in str(m["Subject"])]) == 1


async def test_reminders_come_24_and_1_hours_before_across_a_dst_change_and_follow_a_move(
    client: httpx.AsyncClient, runtime: Runtime, clock: OffsetClock, mailbox: Mailbox
) -> None:
    practice = await open_practice(client, PRO)
    patient = await signed_in(client, PATIENT)
    # 10:00 Paris time on a Sunday when the clocks change at dawn: 24 hours before is 09:00 or 11:00 on the
    # Saturday's wall clock (the offset changed in between), not 10:00
    sunday = _dst_sunday(clock.now())
    slot_start = datetime(sunday.year, sunday.month, sunday.day, 10, tzinfo=practice_zone())
    clock.advance(slot_start - timedelta(days=3) - clock.now())
    patient = await _login(client, PATIENT)
    pro_tokens = await _login(client, PRO)
    answer = await client.post(
        "/api/v1/bookings",
        headers=bearer(patient),
        json={"offering_id": practice.offering_id, "starts_at": slot_start.isoformat()},
    )
    assert answer.status_code == 201, answer.text
    booking = answer.json()
    await wait_until(lambda: _reminders(booking["id"], 2))
    due = {
        row["hours_before"]: row["due_at"]
        for row in await Reminder.select().where(Reminder.booking == UUID(booking["id"]))
    }
    # 24 real hours (aware arithmetic in a ZoneInfo zone would keep the wall clock instead: go through UTC)
    assert due[24] == slot_start.astimezone(UTC) - timedelta(hours=24)
    saturday_wall_clock = due[24].astimezone(practice_zone()).hour
    assert saturday_wall_clock in (9, 11)
    assert due[1] == slot_start.astimezone(UTC) - timedelta(hours=1)

    clock.advance(due[24] - timedelta(minutes=1) - clock.now())
    assert await send_due_reminders({"runtime": runtime}) == 0
    clock.advance(timedelta(minutes=2))
    assert await send_due_reminders({"runtime": runtime}) == 1
    assert await send_due_reminders({"runtime": runtime}) == 0
    mail = await mailbox.wait_for(PATIENT, "Reminder")
    assert "in 24 hours" in str(mail["Subject"])

    # moved to 11:00: the 1-hour reminder follows it to 10:00; the 24-hour one is due again (for 11:00) but by then
    # it is stale, so only the 1-hour one goes out
    pro_tokens = await _login(client, PRO)
    moved = await client.post(
        f"/api/v1/bookings/{booking['id']}/reschedule",
        headers=bearer(pro_tokens),
        json={"starts_at": (slot_start + timedelta(hours=1)).isoformat()},
    )
    assert moved.status_code == 200, moved.text
    await wait_until(lambda: _reminder_due(booking["id"], 1, slot_start))
    clock.advance(slot_start - timedelta(minutes=1) - clock.now())
    assert await send_due_reminders({"runtime": runtime}) == 0  # 09:59: nothing yet (the old 09:00 one is gone)
    clock.advance(timedelta(minutes=1))
    assert await send_due_reminders({"runtime": runtime}) == 1
    assert "in one hour" in str((await mailbox.wait_for(PATIENT, "in one hour"))["Subject"])
    assert len([m for m in mailbox.to(PATIENT) if "in 24 hours" in str(m["Subject"])]) == 1


def practice_zone() -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/Paris")


async def _both_mails_sent() -> bool:
    rows = await Delivery.select(Delivery.status).where(Delivery.channel == "email")
    return [row["status"] for row in rows] == ["sent", "sent"]


def _dst_sunday(now: datetime) -> datetime:
    """The next Sunday on which Paris changes its UTC offset (at 03:00 or 02:00 local), at noon."""
    day = now.astimezone(practice_zone()).replace(hour=12, minute=0, second=0, microsecond=0) + timedelta(days=4)
    while not (day.weekday() == 6 and (day - timedelta(days=1)).utcoffset() != day.utcoffset()):
        day += timedelta(days=1)
    return day


async def _login(client: httpx.AsyncClient, email: str) -> dict[str, Any]:
    from tests.support import login

    return await login(client, email)


async def _reminders(booking_id: str, count: int) -> bool:
    return await Reminder.count().where(Reminder.booking == UUID(booking_id)) == count


async def _reminder_due(booking_id: str, hours: int, at: datetime) -> bool:
    row = (
        await Reminder.select(Reminder.due_at)
        .where((Reminder.booking == UUID(booking_id)) & (Reminder.hours_before == hours))
        .first()
    )
    return row is not None and row["due_at"] == at
