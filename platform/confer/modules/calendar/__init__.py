"""Calendar: weekly availability, date overrides, time off, and the slot engine."""

from confer.core.modules import Module
from confer.modules.calendar.routes import AvailabilityController

module = Module(
    name="calendar",
    requires=("professionals",),
    route_handlers=[AvailabilityController],
    piccolo_app="confer.modules.calendar.piccolo_app",
)
