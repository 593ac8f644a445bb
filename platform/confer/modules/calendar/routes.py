"""The calendar API: the caller's weekly hours, date overrides and time off."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from litestar import Controller, delete, get, post, put
from litestar.params import FromPath, JSONBody

from confer.core.dependencies import CurrentPrincipal, RuntimeDep
from confer.modules.calendar import external, service
from confer.modules.calendar.schemas import (
    ExternalCalendarIn,
    ExternalCalendarOut,
    OverrideIn,
    OverrideOut,
    RuleIn,
    TimeOffIn,
    TimeOffOut,
)

BEARER: list[dict[str, list[str]]] = [{"bearer": []}]


class AvailabilityController(Controller):
    path = "/api/v1/me"
    tags = ["availability"]
    security = BEARER

    @put("/availability/rules")
    async def replace_rules(
        self, data: JSONBody[list[RuleIn]], runtime: RuntimeDep, principal: CurrentPrincipal
    ) -> list[RuleIn]:
        """Replace the weekly hours, in the profile's time zone."""
        return await service.replace_rules(runtime, principal, data)

    @get("/availability/rules")
    async def rules(self, principal: CurrentPrincipal) -> list[RuleIn]:
        return await service.rules_of(principal.user_id)

    @post("/availability/overrides", status_code=201)
    async def set_override(
        self, data: JSONBody[OverrideIn], runtime: RuntimeDep, principal: CurrentPrincipal
    ) -> OverrideOut:
        return await service.set_override(runtime, principal, data)

    @get("/availability/overrides")
    async def overrides(self, runtime: RuntimeDep, principal: CurrentPrincipal) -> list[OverrideOut]:
        """The caller's date overrides from today (in the profile's zone) on, soonest first."""
        return await service.upcoming_overrides(runtime, principal)

    @delete("/availability/overrides/{day:date}", status_code=204)
    async def remove_override(self, day: FromPath[date], principal: CurrentPrincipal) -> None:
        """That date follows the weekly hours again."""
        await service.remove_override(principal, day)

    @put("/availability/external-calendar", status_code=202)
    async def link_external_calendar(
        self, data: JSONBody[ExternalCalendarIn], runtime: RuntimeDep, principal: CurrentPrincipal
    ) -> ExternalCalendarOut:
        """Link an ICS URL whose events block your time (null unlinks it). The answer comes at once: the calendar is
        imported in the background, then every 15 minutes; its status, last error and counts are read here."""
        await external.set_external_calendar(runtime, principal, data.url)
        return await external.external_calendar_status(principal)

    @get("/availability/external-calendar")
    async def external_calendar(self, principal: CurrentPrincipal) -> ExternalCalendarOut:
        return await external.external_calendar_status(principal)

    @post("/time-off", status_code=201)
    async def add_time_off(
        self, data: JSONBody[TimeOffIn], runtime: RuntimeDep, principal: CurrentPrincipal
    ) -> TimeOffOut:
        return await service.add_time_off(runtime, principal, data)

    @get("/time-off")
    async def time_off(self, runtime: RuntimeDep, principal: CurrentPrincipal) -> list[TimeOffOut]:
        """The caller's time off that has not ended yet, soonest first."""
        return await service.current_time_off(runtime, principal)

    @delete("/time-off/{time_off_id:uuid}", status_code=204)
    async def remove_time_off(self, time_off_id: FromPath[UUID], principal: CurrentPrincipal) -> None:
        await service.remove_time_off(principal, time_off_id)
