"""Group classes: sessions (one-off or recurring), enrolment within capacity, and a waitlist with timed offers."""

from confer.core.modules import Module, Schedule
from confer.modules.classes import realtime, service
from confer.modules.classes.demo import seed_demo
from confer.modules.classes.routes import ClassesController, MyClassesController, MyPlacesController
from confer.modules.classes.settings import ClassesSettings

module = Module(
    name="classes",
    requires=("accounts", "professionals", "booking"),
    route_handlers=[MyClassesController, ClassesController, MyPlacesController],
    piccolo_app="confer.modules.classes.piccolo_app",
    subscribers={
        "classes.enrolled": [realtime.follow_enrolment],
        "classes.left": [realtime.follow_enrolment],
        "classes.enrolment_cancelled": [realtime.follow_enrolment],
        "classes.offer_expired": [realtime.follow_enrolment],
        "classes.pending_payment": [realtime.follow_enrolment],
        "classes.payment_expired": [realtime.follow_enrolment],
        "classes.session_cancelled": [realtime.publish_cancellation],
    },
    schedules=[Schedule(cron="* * * * *", job=service.expire_offers)],
    channels_of=realtime.channels_of,
    settings=ClassesSettings,
    seed_demo=seed_demo,
)
