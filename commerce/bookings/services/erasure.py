"""What erasing a person removes from bookings (privacy registry)."""

from django.db.models import Q

from commerce.bookings.models import Booking, TimeOff
from privacy.registry import ErasureSubject


def bookings_erase(subject: ErasureSubject) -> int:
    """Eraser: free-text cancellation reasons on the person's bookings (as client, as the
    practitioner, or where they cancelled) and the reasons written on their time off. Their
    phone number and SMS consent are notifications.ContactPoint's, erased there. The
    bookings themselves stay: payments, credits and the practitioner's records point at
    them."""
    if subject.user is None:
        return 0
    user = subject.user
    changed = (
        Booking.objects.filter(Q(client=user) | Q(practitioner__user=user) | Q(cancelled_by=user))
        .exclude(cancellation_reason="")
        .update(cancellation_reason="")
    )
    changed += TimeOff.objects.filter(practitioner__user=user).exclude(reason="").update(reason="")
    return changed
