"""Calendar: weekly availability, date overrides, time off, external calendars, and the slot engine."""

from datetime import timedelta

from confer.core.modules import Module, Schedule
from confer.modules.calendar.external import import_external_calendar, import_external_calendars
from confer.modules.calendar.routes import AvailabilityController
from confer.modules.calendar.settings import CalendarSettings

module = Module(
    name="calendar",
    requires=("professionals",),
    route_handlers=[AvailabilityController],
    piccolo_app="confer.modules.calendar.piccolo_app",
    settings=CalendarSettings,
    jobs=[import_external_calendar],
    schedules=[Schedule(cron="*/15 * * * *", job=import_external_calendars, timeout=timedelta(minutes=14))],
)
