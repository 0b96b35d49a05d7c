"""Stripe events that enrol course buyers. Registered with the payments webhook registry
when the app is ready; handlers converge whatever the order or number of deliveries."""

from datetime import UTC, datetime

from cms.courses.services import course_record_card_paid
from commerce.payments.models import Payment
from commerce.payments.services import payment_for_stripe_object, payment_record_paid
from commerce.payments.webhooks import handles
from integrations.stripe.types import Event


@handles("checkout.session.completed", "checkout.session.async_payment_succeeded")
def course_checkout_completed(event: Event) -> None:
    session = event.data_object
    if session.get("mode") != "payment" or session.get("payment_status") != "paid":
        return
    payment = payment_for_stripe_object(dict(session))
    if payment is None or payment.purpose != Payment.Purpose.COURSE:
        return
    # Recording the payment is idempotent, so this does not depend on the payments
    # handler for the same event having run first.
    payment = payment_record_paid(
        payment=payment,
        payment_intent_id=session.get("payment_intent"),
        paid_at=datetime.fromtimestamp(event.created, tz=UTC),
    )
    course_record_card_paid(payment=payment)
