"""Video: rooms on the Janus media fleet bound to bookings and class sessions, who may join them and when, the host's
controls, attendance, and the jobs that keep the fleet and the records in step (DESIGN §8)."""

from confer.core.modules import Module, Schedule
from confer.modules.video import jobs, service
from confer.modules.video.routes import BookingVideoController, ClassVideoController, MediaEventsController
from confer.modules.video.settings import VideoSettings

module = Module(
    name="video",
    requires=("accounts", "professionals", "booking", "classes"),
    route_handlers=[BookingVideoController, ClassVideoController, MediaEventsController],
    piccolo_app="confer.modules.video.piccolo_app",
    subscribers={
        "booking.cancelled": [service.on_subject_closed],
        "booking.expired": [service.on_subject_closed],
        "classes.session_cancelled": [service.on_subject_closed],
        "classes.left": [service.on_place_lost],
        "classes.enrolment_cancelled": [service.on_place_lost],
    },
    schedules=[
        Schedule(cron="* * * * *", job=jobs.prepare_rooms),
        Schedule(cron="* * * * *", job=jobs.close_rooms),
        Schedule(cron="* * * * *", job=jobs.reconcile_rooms),
    ],
    settings=VideoSettings,
)
