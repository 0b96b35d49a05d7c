"""Availability: weekly rules and date overrides in the practitioner's local wall-clock
time (so 09:00 stays 09:00 across daylight-saving changes), time off and imported busy
times as UTC instants. The booking lifecycle builds on these."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from marketplace.practitioners.models import PractitionerProfile


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
