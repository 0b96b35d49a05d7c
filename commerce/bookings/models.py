"""Availability: weekly rules and date overrides in the practitioner's local wall-clock
time (so 09:00 stays 09:00 across daylight-saving changes), time off and imported busy
times as UTC instants. The booking lifecycle builds on these."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from marketplace.practitioners.models import PractitionerProfile, Service


class AvailabilityRule(models.Model):
    """A weekly window, e.g. Mondays 09:00–17:00 local time, optionally bounded by dates
    (inclusive, in the practitioner's calendar)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    practitioner = models.ForeignKey(
        PractitionerProfile, on_delete=models.CASCADE, related_name="availability_rules"
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField()
    end_time = models.TimeField()
    valid_from = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["practitioner_id", "weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weekday__gte=0) & Q(weekday__lte=6),
                name="bookings_rule_weekday_range",
            ),
            models.CheckConstraint(
                condition=Q(start_time__lt=F("end_time")), name="bookings_rule_start_before_end"
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_from__lte=F("valid_until")),
                name="bookings_rule_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}–{self.end_time:%H:%M}"

    def clean(self) -> None:
        super().clean()
        if self.start_time and self.end_time and self.start_time >= self.end_time:
            raise ValidationError({"end_time": "The window must end after it starts."})
        if self.valid_from and self.valid_until and self.valid_from > self.valid_until:
            raise ValidationError({"valid_until": "The rule must end on or after it starts."})


class DateOverride(models.Model):
    """Replaces the weekly rules on one local date. A row without times closes the whole
    day; rows with times are that day's windows (several rows give several windows)."""

    practitioner = models.ForeignKey(
        PractitionerProfile, on_delete=models.CASCADE, related_name="date_overrides"
    )
    date = models.DateField()
    start_time = models.TimeField(null=True, blank=True)
    end_time = models.TimeField(null=True, blank=True)

    class Meta:
        ordering = ["practitioner_id", "date", "start_time"]
        indexes = [models.Index(fields=["practitioner", "date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_time__isnull=True, end_time__isnull=True)
                | Q(start_time__isnull=False, end_time__isnull=False, start_time__lt=F("end_time")),
                name="bookings_override_closed_or_window",
            ),
        ]

    def __str__(self) -> str:
        if self.is_closed:
            return f"{self.date}: closed"
        return f"{self.date}: {self.start_time:%H:%M}–{self.end_time:%H:%M}"

    @property
    def is_closed(self) -> bool:
        return self.start_time is None

    def clean(self) -> None:
        super().clean()
        if (self.start_time is None) != (self.end_time is None):
            raise ValidationError("Give both a start and an end time, or neither (closed).")
        if self.start_time and self.end_time and self.start_time >= self.end_time:
            raise ValidationError({"end_time": "The window must end after it starts."})


class TimeOff(models.Model):
    """A stretch the practitioner is away (UTC instants)."""

    practitioner = models.ForeignKey(
        PractitionerProfile, on_delete=models.CASCADE, related_name="time_off"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["practitioner_id", "starts_at"]
        verbose_name_plural = "time off"
        indexes = [models.Index(fields=["practitioner", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__lt=F("ends_at")), name="bookings_timeoff_start_before_end"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%Y-%m-%d %H:%M} UTC"


class ExternalCalendar(models.Model):
    """A practitioner's outside calendar (an iCal URL), fetched periodically; its events
    block slots as BusyTime rows."""

    practitioner = models.ForeignKey(
        PractitionerProfile, on_delete=models.CASCADE, related_name="external_calendars"
    )
    ical_url = models.URLField(max_length=1000)
    is_active = models.BooleanField(default=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)
    last_succeeded_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["practitioner_id", "pk"]

    def __str__(self) -> str:
        return self.ical_url


class BusyTime(models.Model):
    """One imported busy interval (UTC); replaced wholesale on each successful refresh."""

    calendar = models.ForeignKey(
        ExternalCalendar, on_delete=models.CASCADE, related_name="busy_times"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    uid = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["calendar_id", "starts_at"]
        indexes = [models.Index(fields=["calendar", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__lt=F("ends_at")), name="bookings_busy_start_before_end"
            ),
        ]

    def __str__(self) -> str:
        return f"busy {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M} UTC"


BOOKING_OVERLAP_CONSTRAINT = "bookings_booking_no_overlap"


class Booking(models.Model):
    """One client's session with a practitioner, from a short hold while paying to its end.

    `blocked_start`/`blocked_end` are the session widened by the service's buffers: no two
    live (held or confirmed) bookings of one practitioner may have overlapping blocked
    ranges. On PostgreSQL an exclusion constraint on tstzrange(blocked_start, blocked_end)
    enforces it (migration 0002, constraint BOOKING_OVERLAP_CONSTRAINT); on SQLite the
    booking services check inside a serialized (BEGIN IMMEDIATE) write transaction.
    Plain columns rather than a range field keep one model for both databases.

    Prices are a snapshot taken when the hold is made: `price_amount` (minor units of
    `price_currency`, the card price and the value a practitioner is paid out on) and
    `price_credits` (credits spent). Refund fields record what a cancellation gave back,
    in the same unit the booking was paid in."""

    class Status(models.TextChoices):
        HELD = "held", "Held while paying"
        CONFIRMED = "confirmed", "Confirmed"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"
        NO_SHOW = "no_show", "No-show"
        EXPIRED = "expired", "Hold expired"

    class PayWith(models.TextChoices):
        CARD = "card", "Card"
        CREDITS = "credits", "Credits"
        MEMBERSHIP = "membership", "Membership allowance"
        SPONSOR = "sponsor", "Sponsor"

    LIVE_STATUSES = (Status.HELD, Status.CONFIRMED)

    client = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings"
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="bookings")
    practitioner = models.ForeignKey(
        PractitionerProfile, on_delete=models.PROTECT, related_name="bookings"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    blocked_start = models.DateTimeField(help_text="starts_at less the buffer before.")
    blocked_end = models.DateTimeField(help_text="ends_at plus the buffer after.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.HELD)
    hold_expires_at = models.DateTimeField(null=True, blank=True)
    pay_with = models.CharField(max_length=16, choices=PayWith.choices)
    price_amount = models.PositiveIntegerField(null=True, blank=True)
    price_currency = models.CharField(max_length=3, blank=True)
    price_credits = models.PositiveIntegerField(null=True, blank=True)
    payment = models.ForeignKey(
        "payments.Payment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bookings",
    )
    credit_spend = models.ForeignKey(
        "credits.CreditTransaction",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    pool_draw = models.ForeignKey(
        "partners.PoolDraw", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    cancellation_reason = models.CharField(max_length=500, blank=True)
    rescheduled_at = models.DateTimeField(null=True, blank=True)
    reschedule_count = models.PositiveIntegerField(
        default=0, help_text="How many times the session was moved; raises the ICS SEQUENCE."
    )
    no_show_at = models.DateTimeField(
        null=True, blank=True, help_text="When the practitioner reported the client absent."
    )
    refund_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    refund_amount = models.PositiveIntegerField(
        null=True, blank=True, help_text="Minor units (card) or credits given back."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        indexes = [
            models.Index(fields=["practitioner", "blocked_start"]),
            models.Index(fields=["client", "starts_at"]),
            models.Index(fields=["status", "hold_expires_at"]),
            models.Index(fields=["status", "ends_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__lt=F("ends_at")), name="bookings_booking_start_before_end"
            ),
            models.CheckConstraint(
                condition=Q(blocked_start__lte=F("starts_at")) & Q(blocked_end__gte=F("ends_at")),
                name="bookings_booking_blocked_covers_session",
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=["held", "confirmed", "completed", "cancelled", "no_show", "expired"]
                ),
                name="bookings_booking_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(pay_with__in=["card", "credits", "membership", "sponsor"]),
                name="bookings_booking_pay_with_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="held") | Q(hold_expires_at__isnull=False),
                name="bookings_booking_hold_has_expiry",
            ),
            models.CheckConstraint(
                condition=Q(refund_percent__isnull=True) | Q(refund_percent__lte=100),
                name="bookings_booking_refund_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} at {self.starts_at:%Y-%m-%d %H:%M} UTC ({self.status})"

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE_STATUSES


# The calendar feed's model lives in its own module.
from commerce.bookings.feeds import CalendarFeedToken  # noqa: E402, F401
