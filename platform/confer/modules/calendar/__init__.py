"""Calendar: weekly availability, date overrides, time off, external calendars, and the slot engine."""

from confer.core.modules import Module, Schedule
from confer.modules.calendar.external import CalendarSettings, import_external_calendars
from confer.modules.calendar.routes import AvailabilityController

module = Module(
    name="calendar",
    requires=("professionals",),
    route_handlers=[AvailabilityController],
    piccolo_app="confer.modules.calendar.piccolo_app",
    settings=CalendarSettings,
    schedules=[Schedule(cron="*/15 * * * *", job=import_external_calendars)],
)
