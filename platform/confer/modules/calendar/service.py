"""Availability: weekly rules, date overrides and time off, and their expansion for the slot engine."""

from __future__ import annotations

from datetime import date, time, timedelta
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from confer.core.auth import Principal
from confer.core.errors import InvalidInput, NotFound
from confer.core.runtime import Runtime
from confer.modules.calendar.schemas import HoursIn, OverrideIn, OverrideOut, RuleIn, TimeOffIn, TimeOffOut
from confer.modules.calendar.slots import LocalInterval
from confer.modules.calendar.tables import AvailabilityRule, DateOverride, TimeOff
from confer.modules.professionals.service import ProfileRequired
from confer.modules.professionals.tables import ProfessionalProfile

MAX_RULES = 50
MAX_TIME_OFF = timedelta(days=366)


async def replace_rules(runtime: Runtime, principal: Principal, rules: list[RuleIn]) -> list[RuleIn]:
    """The caller's weekly hours, replaced as a whole (one transaction)."""
    await require_profile(principal)
    if len(rules) > MAX_RULES:
        raise InvalidInput("body", f"at most {MAX_RULES} intervals a week")
    intervals = [(rule.weekday, _interval(f"[{i}]", rule.start, rule.end)) for i, rule in enumerate(rules)]
    async with runtime.engine.transaction():
        await AvailabilityRule.delete().where(AvailabilityRule.professional == principal.user_id)
        if intervals:
            await AvailabilityRule.insert(
                *[
                    AvailabilityRule(
                        id=uuid4(),
                        professional=principal.user_id,
                        weekday=weekday,
                        start=interval.start,
                        end=interval.end,
                    )
                    for weekday, interval in intervals
                ]
            ).run()
    return await rules_of(principal.user_id)


async def rules_of(professional_id: UUID) -> list[RuleIn]:
    rows = (
        await AvailabilityRule.select(AvailabilityRule.weekday, AvailabilityRule.start, AvailabilityRule.end)
        .where(AvailabilityRule.professional == professional_id)
        .order_by(AvailabilityRule.weekday)
        .order_by(AvailabilityRule.start)
    )
    return [RuleIn(weekday=r["weekday"], start=_wall(r["start"]), end=_wall(r["end"])) for r in rows]


async def set_override(runtime: Runtime, principal: Principal, data: OverrideIn) -> OverrideOut:
    """Other hours (or none) on one date, replacing any earlier override of that date."""
    await require_profile(principal)
    intervals = [_interval(f"intervals[{i}]", h.start, h.end) for i, h in enumerate(data.intervals)]
    async with runtime.engine.transaction():
        await DateOverride.delete().where(
            (DateOverride.professional == principal.user_id) & (DateOverride.day == data.date)
        )
        rows = [
            DateOverride(id=uuid4(), professional=principal.user_id, day=data.date, start=i.start, end=i.end)
            for i in intervals
        ] or [DateOverride(id=uuid4(), professional=principal.user_id, day=data.date)]
        await DateOverride.insert(*rows).run()
    return OverrideOut(date=data.date, intervals=[HoursIn(start=_wall(i.start), end=_wall(i.end)) for i in intervals])


async def upcoming_overrides(runtime: Runtime, principal: Principal) -> list[OverrideOut]:
    """Overrides dated today or later in the profile's zone; a date whose rows have no hours is closed."""
    zone = await require_profile(principal)
    today = runtime.clock.now().astimezone(ZoneInfo(zone)).date()
    rows = (
        await DateOverride.select(DateOverride.day, DateOverride.start, DateOverride.end)
        .where((DateOverride.professional == principal.user_id) & (DateOverride.day >= today))
        .order_by(DateOverride.day)
        .order_by(DateOverride.start)
    )
    days: dict[date, list[HoursIn]] = {}
    for row in rows:
        hours = days.setdefault(row["day"], [])
        if row["start"] is not None:
            hours.append(HoursIn(start=_wall(row["start"]), end=_wall(row["end"])))
    return [OverrideOut(date=day, intervals=hours) for day, hours in days.items()]


async def remove_override(principal: Principal, day: date) -> None:
    await require_profile(principal)
    removed = (
        await DateOverride.delete()
        .where((DateOverride.professional == principal.user_id) & (DateOverride.day == day))
        .returning(DateOverride.id)
    )
    if not removed:
        raise NotFound("no override on that date")


async def add_time_off(runtime: Runtime, principal: Principal, data: TimeOffIn) -> TimeOffOut:
    await require_profile(principal)
    if data.ends_at <= data.starts_at:
        raise InvalidInput("ends_at", "must be after starts_at")
    if data.ends_at - data.starts_at > MAX_TIME_OFF:
        raise InvalidInput("ends_at", "time off lasts at most a year at a time")
    row = TimeOff(
        id=uuid4(), professional=principal.user_id, starts_at=data.starts_at, ends_at=data.ends_at, note=data.note
    )
    await TimeOff.insert(row).run()
    return TimeOffOut(id=row.id, starts_at=data.starts_at, ends_at=data.ends_at, note=data.note)


async def current_time_off(runtime: Runtime, principal: Principal) -> list[TimeOffOut]:
    await require_profile(principal)
    rows = (
        await TimeOff.select(TimeOff.id, TimeOff.starts_at, TimeOff.ends_at, TimeOff.note)
        .where((TimeOff.professional == principal.user_id) & (TimeOff.ends_at > runtime.clock.now()))
        .order_by(TimeOff.starts_at)
    )
    return [TimeOffOut(**row) for row in rows]


async def remove_time_off(principal: Principal, time_off_id: UUID) -> None:
    """Someone else's time off is 'not found', like one that does not exist."""
    await require_profile(principal)
    removed = (
        await TimeOff.delete()
        .where((TimeOff.id == time_off_id) & (TimeOff.professional == principal.user_id))
        .returning(TimeOff.id)
    )
    if not removed:
        raise NotFound("no such time off")


async def require_profile(principal: Principal) -> str:
    """The caller's profile zone; only a professional with a profile has availability."""
    principal.require_role("professional", "admin")
    row = (
        await ProfessionalProfile.select(ProfessionalProfile.timezone)
        .where(ProfessionalProfile.id == principal.user_id)
        .first()
    )
    if row is None:
        raise ProfileRequired()
    zone: str = row["timezone"]
    return zone


def _interval(field: str, start: str, end: str) -> LocalInterval:
    begins, ends = _parse(start), (None if end == "24:00" else _parse(end))
    if begins is None or (ends is not None and ends <= begins):
        raise InvalidInput(field, "end must be after start (use 24:00 for midnight)")
    return LocalInterval(begins, ends)


def _parse(text: str) -> time | None:
    if text == "24:00":
        return None
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def _wall(value: time | None) -> str:
    return "24:00" if value is None else value.strftime("%H:%M")
