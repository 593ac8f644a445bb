"""Notifications: in-app (listed and in real time), mail with calendar invitations, push to iOS, Android and
browsers, per-person preferences, reminders before bookings, each delivered once (DESIGN §7)."""

from confer.core.modules import Module, Schedule
from confer.modules.booking.service import BOOKING_TOPICS
from confer.modules.notifications import delivery, service
from confer.modules.notifications.routes import NotificationController, NotificationSettingsController
from confer.modules.notifications.settings import NotificationsSettings

NOTIFYING_TOPICS = (
    *BOOKING_TOPICS,
    "notifications.reminder_due",
    "classes.enrolled",
    "classes.waitlisted",
    "classes.seat_offered",
    "classes.session_cancelled",
)

module = Module(
    name="notifications",
    requires=("accounts", "professionals", "booking", "classes"),
    route_handlers=[NotificationController, NotificationSettingsController],
    piccolo_app="confer.modules.notifications.piccolo_app",
    subscribers={
        topic: [service.notify, *([service.schedule_reminders] if topic in BOOKING_TOPICS else [])]
        for topic in NOTIFYING_TOPICS
    },
    jobs=[delivery.send_delivery],
    schedules=[
        Schedule(cron="* * * * *", job=service.send_due_reminders),
        Schedule(cron="* * * * *", job=delivery.requeue_stuck),
    ],
    settings=NotificationsSettings,
)
