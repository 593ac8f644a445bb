"""Payments with Stripe: paid bookings through PaymentIntents, webhooks moving a forward-only state machine, and
refunds by the cancellation policy."""

from confer.core.modules import Module
from confer.modules.payments import service
from confer.modules.payments.routes import BookingPaymentController, PayoutController, StripeWebhookController
from confer.modules.payments.settings import PaymentsSettings

module = Module(
    name="payments",
    requires=("accounts", "professionals", "booking"),
    route_handlers=[BookingPaymentController, PayoutController, StripeWebhookController],
    piccolo_app="confer.modules.payments.piccolo_app",
    subscribers={
        "booking.pending_payment": [service.prepare_payment],
        "booking.cancelled": [service.refund_cancelled],
        "booking.expired": [service.cancel_unpaid],
    },
    settings=PaymentsSettings,
)
