"""The calendar API: the caller's weekly hours, date overrides and time off."""

from __future__ import annotations

from litestar import Controller, get, post, put
from litestar.params import JSONBody

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

    @put("/availability/external-calendar")
    async def link_external_calendar(
        self, data: JSONBody[ExternalCalendarIn], runtime: RuntimeDep, principal: CurrentPrincipal
    ) -> ExternalCalendarOut:
        """Link an ICS URL whose events block your time (null unlinks it); it is read now and every 15 minutes."""
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
