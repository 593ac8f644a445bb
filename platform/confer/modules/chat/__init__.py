"""Chat: a conversation per booking and per class session, in real time, with history, edits, read receipts and the
class host's moderation."""

from confer.core.modules import Module
from confer.modules.booking.service import BOOKING_TOPICS
from confer.modules.chat import service
from confer.modules.chat.routes import ConversationController
from confer.modules.chat.settings import ChatSettings

module = Module(
    name="chat",
    requires=("booking", "classes"),
    route_handlers=[ConversationController],
    piccolo_app="confer.modules.chat.piccolo_app",
    subscribers={
        **{topic: [service.follow_booking] for topic in BOOKING_TOPICS},
        "classes.enrolled": [service.follow_enrolment],
        "classes.left": [service.follow_enrolment],
        "classes.enrolment_cancelled": [service.follow_enrolment],
        "classes.session_scheduled": [service.follow_hosting],
    },
    settings=ChatSettings,
    channels_of=service.channels_of,
)
