"""Payments with Stripe: paid bookings and class seats through PaymentIntents, webhooks moving a forward-only state
machine, and refunds by the cancellation policy."""

from confer.core.modules import Module
from confer.modules.payments import service
from confer.modules.payments.routes import (
    BookingPaymentController,
    EnrolmentPaymentController,
    PayoutController,
    StripeWebhookController,
)
from confer.modules.payments.settings import PaymentsSettings

ENDED = (
    "booking.cancelled",
    "booking.expired",
    "classes.left",
    "classes.enrolment_cancelled",
    "classes.payment_expired",
)
"""What ends a booking or a class place: refund what was paid by the policy, or cancel an intent never paid."""

module = Module(
    name="payments",
    requires=("accounts", "professionals", "booking", "classes"),
    route_handlers=[BookingPaymentController, EnrolmentPaymentController, PayoutController, StripeWebhookController],
    piccolo_app="confer.modules.payments.piccolo_app",
    subscribers={
        "booking.pending_payment": [service.prepare_payment],
        "classes.pending_payment": [service.prepare_payment],
        **{topic: [service.close_payment] for topic in ENDED},
    },
    settings=PaymentsSettings,
)
