"""Booking: holds, confirmations, cancellations and reschedules that can never double-book."""

from confer.core.modules import Module, Schedule
from confer.modules.booking import realtime, service
from confer.modules.booking.demo import seed_demo
from confer.modules.booking.routes import BookingController, CalendarFeedController, SlotsController
from confer.modules.booking.settings import BookingSettings

module = Module(
    name="booking",
    requires=("accounts", "professionals", "calendar"),
    route_handlers=[BookingController, SlotsController, CalendarFeedController],
    piccolo_app="confer.modules.booking.piccolo_app",
    subscribers={topic: [realtime.publish_change] for topic in service.BOOKING_TOPICS},
    schedules=[Schedule(cron="* * * * *", job=service.release_expired_holds)],
    channels_of=realtime.channels_of,
    settings=BookingSettings,
    seed_demo=seed_demo,
)
