"""Group classes: sessions (one-off or recurring), enrolment within capacity, and a waitlist with timed offers."""

from confer.core.modules import Module, Schedule
from confer.modules.classes import service
from confer.modules.classes.demo import seed_demo
from confer.modules.classes.routes import ClassesController, MyClassesController
from confer.modules.classes.settings import ClassesSettings

module = Module(
    name="classes",
    requires=("professionals", "booking"),
    route_handlers=[MyClassesController, ClassesController],
    piccolo_app="confer.modules.classes.piccolo_app",
    schedules=[Schedule(cron="* * * * *", job=service.expire_offers)],
    settings=ClassesSettings,
    seed_demo=seed_demo,
)
