"""The opaque booking reference a linked Typeform form carries as its `booking` hidden
field: the booking id signed with SECRET_KEY under this app's salt, so a response can only
be matched to a booking we handed the reference out for; a guessed or edited one fails
verification."""

from django.core import signing

SALT = "marketplace.clients.intake.typeform-booking"
HIDDEN_FIELD = "booking"


def booking_reference(booking_id: int) -> str:
    return signing.dumps(int(booking_id), salt=SALT, compress=True)


def booking_from_reference(reference: str) -> int | None:
    """The booking id, or None when the reference is missing, altered or not ours."""
    if not reference or len(reference) > 200:
        return None
    try:
        value = signing.loads(reference, salt=SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None
