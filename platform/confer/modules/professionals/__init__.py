"""Professionals: public profiles and offerings (consultations and classes), and finding them."""

from confer.core.modules import Module, Schedule
from confer.modules.professionals import search
from confer.modules.professionals.demo import seed_demo
from confer.modules.professionals.routes import MyPracticeController, ProfessionalsController
from confer.modules.professionals.search_routes import ProfessionalSearchController

module = Module(
    name="professionals",
    requires=("accounts",),
    route_handlers=[MyPracticeController, ProfessionalsController, ProfessionalSearchController],
    piccolo_app="confer.modules.professionals.piccolo_app",
    subscribers={topic: [search.on_booking_changed] for topic in search.BOOKING_TOPICS},
    schedules=[Schedule(cron="* * * * *", job=search.refresh_availability_index)],
    seed_demo=seed_demo,
)
