"""Search: finding professionals by words, specialty, language, price, rating and their next free slot.

It owns the search columns of ``professional_profile`` (added by a professionals migration, which that table's
module keeps) and keeps ``next_available_at`` current from the calendar and booking modules it requires.
"""

from confer.core.modules import Module, Schedule
from confer.core.runtime import Runtime
from confer.modules.search import service
from confer.modules.search.routes import ProfessionalSearchController


async def _refresh_demo(runtime: Runtime) -> list[str]:
    refreshed = await service.refresh_stale(runtime)
    return [f"search        next free slot computed for {refreshed} professionals"]


module = Module(
    name="search",
    requires=("professionals", "calendar", "booking"),
    route_handlers=[ProfessionalSearchController],
    subscribers={topic: [service.on_booking_changed] for topic in service.BOOKING_TOPICS},
    schedules=[Schedule(cron="* * * * *", job=service.refresh_availability_index)],
    seed_demo=_refresh_demo,
)
