from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

SERVICE_MINIMUM_MINUTES = 5
SERVICE_MAXIMUM_MINUTES = 480


def validate_time_zone(value: str) -> None:
    """An IANA time zone name that zoneinfo knows ("Europe/London")."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValidationError(f"{value!r} is not a known time zone.") from error


class PractitionerProfile(models.Model):
    """The practitioner role's own row. Onboarding and verification build on its status."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        VERIFIED = "verified", "Verified"
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"

    BOOKABLE_STATUSES = (Status.VERIFIED, Status.ACTIVE)

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="practitioner_profile"
    )
    slug = models.SlugField(max_length=80, unique=True)
    display_name = models.CharField(max_length=120)
    bio = models.TextField(blank=True, help_text="Shown on the public profile.")
    languages = models.CharField(
        max_length=200,
        blank=True,
        help_text="Languages sessions are offered in, e.g. English, Hindi.",
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    time_zone = models.CharField(
        max_length=64,
        default="Europe/London",
        validators=[validate_time_zone],
        help_text="IANA time zone the weekly availability is written in.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.display_name

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


class Modality(models.Model):
    """A kind of practice (psychotherapy, reiki, sports massage) services are filed under."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "modalities"

    def __str__(self) -> str:
        return self.name


def validate_cancellation_tiers(value) -> None:
    """A list of {"hours_before": int >= 0, "refund_percent": 0..100}, hours strictly
    descending, so the first tier whose `hours_before` the cancellation still meets applies."""
    if not isinstance(value, list):
        raise ValidationError("The cancellation policy must be a list of tiers.")
    previous_hours = None
    for index, tier in enumerate(value):
        if not isinstance(tier, dict) or set(tier) != {"hours_before", "refund_percent"}:
            raise ValidationError(
                f"Tier {index + 1} must have exactly hours_before and refund_percent."
            )
        hours, percent = tier["hours_before"], tier["refund_percent"]
        if type(hours) is not int or hours < 0:
            raise ValidationError(f"Tier {index + 1}: hours_before must be a whole number ≥ 0.")
        if type(percent) is not int or not 0 <= percent <= 100:
            raise ValidationError(f"Tier {index + 1}: refund_percent must be 0 to 100.")
        if previous_hours is not None and hours >= previous_hours:
            raise ValidationError(
                "Tiers must be sorted by hours_before, largest first, without repeats."
            )
        previous_hours = hours


class Service(models.Model):
    """Something a practitioner sells by the session. Prices are integer minor units in
    `currency` (card, member) or whole credits; a payment method the service does not
    accept has no price. Times a client may book are computed by
    commerce.bookings.selectors.slots_for_service."""

    practitioner = models.ForeignKey(
        PractitionerProfile, on_delete=models.CASCADE, related_name="services"
    )
    modality = models.ForeignKey(Modality, on_delete=models.PROTECT, related_name="services")
    name = models.CharField(max_length=160)
    description = models.TextField(blank=True)
    duration_minutes = models.PositiveIntegerField(
        validators=[
            MinValueValidator(SERVICE_MINIMUM_MINUTES),
            MaxValueValidator(SERVICE_MAXIMUM_MINUTES),
        ]
    )
    price = models.PositiveIntegerField(
        null=True, blank=True, help_text="Card price in minor units of the currency."
    )
    currency = models.CharField(max_length=3, default="GBP")
    credit_price = models.PositiveIntegerField(null=True, blank=True, help_text="In credits.")
    member_price = models.PositiveIntegerField(
        null=True, blank=True, help_text="Price for members in minor units of the currency."
    )
    is_online = models.BooleanField(default=True)
    location = models.CharField(max_length=255, blank=True)
    buffer_before_minutes = models.PositiveIntegerField(
        default=0, validators=[MaxValueValidator(240)]
    )
    buffer_after_minutes = models.PositiveIntegerField(
        default=0, validators=[MaxValueValidator(240)]
    )
    minimum_notice_minutes = models.PositiveIntegerField(default=12 * 60)
    maximum_advance_days = models.PositiveIntegerField(
        default=90, validators=[MinValueValidator(1), MaxValueValidator(730)]
    )
    accepts_card = models.BooleanField(default=True)
    accepts_credits = models.BooleanField(default=False)
    accepts_membership = models.BooleanField(default=False)
    accepts_sponsor = models.BooleanField(default=False)
    cancellation_tiers = models.JSONField(
        default=list,
        blank=True,
        help_text='Refund tiers, e.g. [{"hours_before": 24, "refund_percent": 100}, '
        '{"hours_before": 2, "refund_percent": 50}]; later than the last tier: no refund.',
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["practitioner_id", "name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=SERVICE_MINIMUM_MINUTES)
                & Q(duration_minutes__lte=SERVICE_MAXIMUM_MINUTES),
                name="practitioners_service_duration_range",
            ),
            models.CheckConstraint(
                condition=Q(accepts_card=False) | Q(price__isnull=False),
                name="practitioners_service_card_has_price",
            ),
            models.CheckConstraint(
                condition=Q(accepts_credits=False) | Q(credit_price__gt=0),
                name="practitioners_service_credits_have_price",
            ),
            models.CheckConstraint(
                condition=Q(buffer_before_minutes__lte=240) & Q(buffer_after_minutes__lte=240),
                name="practitioners_service_buffer_range",
            ),
            models.CheckConstraint(
                condition=Q(maximum_advance_days__gte=1) & Q(maximum_advance_days__lte=730),
                name="practitioners_service_advance_range",
            ),
            models.CheckConstraint(
                condition=Q(currency__regex=r"^[A-Z]{3}$"),
                name="practitioners_service_currency_iso",
            ),
        ]
        indexes = [models.Index(fields=["practitioner", "is_active"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.duration_minutes} min)"

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list[str]] = {}
        try:
            validate_cancellation_tiers(self.cancellation_tiers)
        except ValidationError as error:
            errors["cancellation_tiers"] = error.messages
        if self.accepts_card and self.price is None:
            errors["price"] = ["A service that accepts card payments needs a price."]
        if self.accepts_credits and not self.credit_price:
            errors["credit_price"] = ["A service that accepts credits needs a credit price."]
        if not self.is_online and not self.location.strip():
            errors["location"] = ["An in-person service needs a location."]
        if errors:
            raise ValidationError(errors)

    def refund_percent_for(self, *, hours_before: float) -> int:
        """The refund a cancellation `hours_before` the start earns under this policy."""
        for tier in sorted(self.cancellation_tiers, key=lambda tier: -tier["hours_before"]):
            if hours_before >= tier["hours_before"]:
                return tier["refund_percent"]
        return 0
