"""Writes a practitioner makes to their own availability from the practice dashboard:
weekly rules, date overrides, time off and external calendars. Each validates the row
with the model's own rules (full_clean) plus the checks that need the practitioner's
other rows, and raises ValidationError keyed by field for the form to show.

The overlap checks read then write without a lock: two overlapping rows written at the
same instant would only be merged by the slot maths (it unions a day's windows), so
nothing is double-offered."""

from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.utils import timezone

from commerce.bookings.models import AvailabilityRule, DateOverride, ExternalCalendar, TimeOff
from commerce.bookings.services.calendars import _feed_url
from integrations.safe_fetch import FetchError, check_url_shape
from marketplace.practitioners.models import PractitionerProfile

EXTERNAL_CALENDARS_MAX = 5


def availability_rule_create(
    *, practitioner: PractitionerProfile, weekday: int, start_time: time, end_time: time
) -> AvailabilityRule:
    """A weekly window in the practitioner's local time; refused when it overlaps one of
    their rules on the same weekday."""
    rule = AvailabilityRule(
        practitioner=practitioner, weekday=weekday, start_time=start_time, end_time=end_time
    )
    rule.full_clean()
    clash = (
        AvailabilityRule.objects.filter(
            practitioner=practitioner,
            weekday=weekday,
            start_time__lt=end_time,
            end_time__gt=start_time,
        )
        .order_by("start_time")
        .first()
    )
    if clash is not None:
        raise ValidationError(
            {
                "start_time": f"This overlaps your {clash.get_weekday_display()} window "
                f"{clash.start_time:%H:%M}–{clash.end_time:%H:%M}. Change or delete that one "
                "first."
            }
        )
    rule.save()
    return rule


def date_override_create(
    *,
    practitioner: PractitionerProfile,
    day: date,
    start_time: time | None,
    end_time: time | None,
    today: date | None = None,
) -> DateOverride:
    """One local date closed (no times) or given a window that replaces the weekly rules
    that day. A date is either closed or has windows, and its windows do not overlap."""
    today = timezone.localdate(timezone=practitioner.zone) if today is None else today
    if day < today:
        raise ValidationError({"date": "Choose today or a later date."})
    override = DateOverride(
        practitioner=practitioner, date=day, start_time=start_time, end_time=end_time
    )
    override.full_clean()
    same_day = list(DateOverride.objects.filter(practitioner=practitioner, date=day))
    if any(row.is_closed for row in same_day):
        raise ValidationError({"date": f"{day.day} {day:%B %Y} is already marked closed."})
    if override.is_closed and same_day:
        raise ValidationError(
            {
                "date": f"{day.day} {day:%B %Y} already has its own hours. "
                "Delete them to close the day."
            }
        )
    # Only windows can overlap: a closed day reaching here has no rows on its date, and
    # no row on the date is closed (both refused above).
    if start_time is not None and end_time is not None:
        for row in same_day:
            if row.start_time is None or row.end_time is None:
                continue
            if row.start_time < end_time and row.end_time > start_time:
                raise ValidationError(
                    {
                        "start_time": f"This overlaps {row.start_time:%H:%M}–"
                        f"{row.end_time:%H:%M} on the same date."
                    }
                )
    override.save()
    return override


def time_off_create(
    *,
    practitioner: PractitionerProfile,
    starts_at: datetime,
    ends_at: datetime,
    reason: str = "",
    now: datetime | None = None,
) -> TimeOff:
    """A stretch away (aware instants, stored in UTC) that blocks every slot in it."""
    now = timezone.now() if now is None else now
    if ends_at <= now:
        raise ValidationError({"ends_at": "Time off must end in the future."})
    time_off = TimeOff(
        practitioner=practitioner, starts_at=starts_at, ends_at=ends_at, reason=reason.strip()
    )
    time_off.full_clean()
    if starts_at >= ends_at:
        raise ValidationError({"ends_at": "Time off must end after it starts."})
    time_off.save()
    return time_off


def external_calendar_add(*, practitioner: PractitionerProfile, ical_url: str) -> ExternalCalendar:
    """Adds an outside calendar (http(s) or webcal iCal address, public hosts only) and
    asks for its first import once the row is committed; the hourly beat keeps it fresh."""
    from commerce.bookings.tasks import refresh_external_calendar

    url = _feed_url(ical_url)
    try:
        check_url_shape(url)
    except FetchError as error:
        raise ValidationError(
            {"ical_url": "Enter the public address of an http(s) or webcal calendar."}
        ) from error
    existing = ExternalCalendar.objects.filter(practitioner=practitioner)
    if existing.filter(ical_url=url).exists():
        raise ValidationError({"ical_url": "This calendar is already connected."})
    if existing.count() >= EXTERNAL_CALENDARS_MAX:
        raise ValidationError(
            {"ical_url": f"You can connect up to {EXTERNAL_CALENDARS_MAX} calendars."}
        )
    calendar = ExternalCalendar(practitioner=practitioner, ical_url=url)
    calendar.full_clean()
    calendar.save()
    from events.outbox import enqueue_on_commit

    enqueue_on_commit(refresh_external_calendar, calendar.pk)
    return calendar


def availability_row_delete(*, row: AvailabilityRule | DateOverride | TimeOff | ExternalCalendar):
    """Removes one of the practitioner's availability rows (the caller has checked it is
    theirs). An external calendar takes its imported busy times with it."""
    row.delete()
