"""How a client may be reached about their bookings beyond email. Kept in bookings
(not on accounts.User) because only booking reminders use it; SMS goes only to clients
who opted in, to the number they gave."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

# The same E.164 rule the SMS adapter enforces (integrations.sms.types.E164_PATTERN).
validate_e164 = RegexValidator(
    r"^\+[1-9]\d{1,14}$",
    "Enter the number in international form, e.g. +447700900123.",
    code="invalid_phone_number",
)


def normalize_phone_number(raw: str) -> str:
    """The number without the spaces, hyphens, dots and brackets people type into it
    ("+44 (0)7700 900-123" keeps its digits; a national "(0)" trunk prefix after the
    country code is dropped). Validation (validate_e164) comes after."""
    text = (raw or "").strip()
    text = text.replace("(0)", "")
    return "".join(character for character in text if character not in " -.()\t")


class ClientContactPreference(models.Model):
    """One client's phone number and SMS consent. `sms_opt_in` without a number sends
    nothing."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contact_preference"
    )
    phone_number = models.CharField(max_length=16, blank=True, validators=[validate_e164])
    sms_opt_in = models.BooleanField(
        default=False, help_text="The client agreed to booking reminders by SMS."
    )
    # When the client last gave consent (ticked the box, or confirmed a new number with it
    # ticked) and last withdrew it: the record an SMS regulator asks for.
    sms_opted_in_at = models.DateTimeField(null=True, blank=True)
    sms_opted_out_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(phone_number="")
                | models.Q(phone_number__regex=r"^\+[1-9][0-9]{1,14}$"),
                name="bookings_contact_phone_e164",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({'SMS' if self.wants_sms else 'email only'})"

    @property
    def wants_sms(self) -> bool:
        return self.sms_opt_in and bool(self.phone_number)
