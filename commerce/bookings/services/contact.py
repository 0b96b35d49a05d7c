"""A client's phone number and SMS reminder consent (commerce.bookings.contact)."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from commerce.bookings.contact import (
    ClientContactPreference,
    normalize_phone_number,
    validate_e164,
)
from commerce.errors import InvalidRequest


@transaction.atomic
def contact_preference_set(
    *, user: User, phone_number: str, sms_opt_in: bool, now: datetime | None = None
) -> ClientContactPreference:
    """Saves the client's number (E.164 once spaces and brackets are dropped; empty to
    remove it) and whether they want booking reminders by SMS. Opting in needs a number
    and records the moment of consent, again whenever the number it covers changes;
    opting out records the moment of withdrawal and keeps the number. Bad input is
    InvalidRequest (400) with a message for the form."""
    moment = timezone.now() if now is None else now
    number = normalize_phone_number(phone_number)
    if number:
        try:
            validate_e164(number)
        except ValidationError as error:
            raise InvalidRequest(error.messages[0], code="invalid_phone_number") from error
    if sms_opt_in and not number:
        raise InvalidRequest(
            "Enter the mobile number to text, or leave reminders by text off.",
            code="phone_number_required",
        )
    preference, _ = ClientContactPreference.objects.select_for_update().get_or_create(user=user)
    consent_renewed = sms_opt_in and (
        not preference.sms_opt_in or preference.phone_number != number
    )
    withdrawn = preference.sms_opt_in and not sms_opt_in
    preference.phone_number = number
    preference.sms_opt_in = sms_opt_in
    if consent_renewed:
        preference.sms_opted_in_at = moment
    if withdrawn:
        preference.sms_opted_out_at = moment
    preference.full_clean()
    preference.save()
    return preference
