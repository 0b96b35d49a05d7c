"""Stripe events that move bookings on, and what a booking's payments and transfers
were for. Registered with the payments registries when the app is ready; handlers
converge whatever the order or number of deliveries."""

from collections.abc import Collection
from datetime import UTC, datetime

from commerce.bookings.models import Booking
from commerce.bookings.services import booking_record_card_paid
from commerce.bookings.services.holds import BOOKING_SOURCE_TYPE
from commerce.payments.models import Payment
from commerce.payments.selectors import source_describer_register
from commerce.payments.services import payment_for_stripe_object, payment_record_paid
from commerce.payments.webhooks import handles
from integrations.stripe.types import Event


@handles("checkout.session.completed", "checkout.session.async_payment_succeeded")
def booking_checkout_completed(event: Event) -> None:
    session = event.data_object
    if session.get("mode") != "payment" or session.get("payment_status") != "paid":
        return
    payment = payment_for_stripe_object(dict(session))
    if payment is None or payment.purpose != Payment.Purpose.BOOKING:
        return
    # Recording the payment is idempotent, so this does not depend on the payments
    # handler for the same event having run first.
    payment = payment_record_paid(
        payment=payment,
        payment_intent_id=session.get("payment_intent"),
        paid_at=datetime.fromtimestamp(event.created, tz=UTC),
    )
    booking_record_card_paid(payment=payment)


def booking_labels(source_ids: Collection[str]) -> dict[str, str]:
    """The earnings statement's "<service> on <start>" for bookings, read from the booking
    as it is now (its current start after a reschedule), in the practitioner's zone."""
    ids = [int(source_id) for source_id in source_ids if source_id.isdigit()]
    labels = {}
    for booking in Booking.objects.filter(pk__in=ids).select_related("service", "practitioner"):
        zone = booking.practitioner.zone
        when = booking.starts_at.astimezone(zone)
        labels[str(booking.pk)] = f"{booking.service.name} on {when:%d %b %Y %H:%M} ({zone.key})"
    return labels


source_describer_register(BOOKING_SOURCE_TYPE, booking_labels)
