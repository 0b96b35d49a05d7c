"""What erasing a person removes from bookings (privacy registry)."""

from django.db.models import Q

from commerce.bookings.contact import ClientContactPreference
from commerce.bookings.models import Booking, TimeOff
from privacy.registry import ErasureSubject


def bookings_erase(subject: ErasureSubject) -> int:
    """Eraser: free-text cancellation reasons on the person's bookings (as client, as the
    practitioner, or where they cancelled), their phone number and SMS consent, and the
    reasons written on their time off. The bookings themselves stay: payments, credits
    and the practitioner's records point at them."""
    if subject.user is None:
        return 0
    user = subject.user
    changed = (
        Booking.objects.filter(Q(client=user) | Q(practitioner__user=user) | Q(cancelled_by=user))
        .exclude(cancellation_reason="")
        .update(cancellation_reason="")
    )
    deleted, _ = ClientContactPreference.objects.filter(user=user).delete()
    changed += deleted
    changed += TimeOff.objects.filter(practitioner__user=user).exclude(reason="").update(reason="")
    return changed
