"""Writes for availability. external_calendar_refresh imports a practitioner's outside
calendar (an iCal feed) as BusyTime rows that block slots."""

import logging
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
from django.db import transaction
from django.utils import timezone

from commerce.bookings.models import BusyTime, ExternalCalendar
from integrations.safe_fetch import FetchError, guarded_fetch

logger = logging.getLogger(__name__)

CALENDAR_HORIZON = timedelta(days=90)
CALENDAR_MAX_BYTES = 2 * 1024 * 1024
CALENDAR_MAX_EVENTS = 5000
CALENDAR_CONNECT_TIMEOUT = 5  # seconds
CALENDAR_TOTAL_TIMEOUT = 20  # seconds, redirects and reading included
CALENDAR_MAX_REDIRECTS = 3
_ERROR_LENGTH = 1000


CALENDAR_READ_FAILED = "We couldn't read that calendar. Check the link is a public iCal address."


class CalendarFetchError(Exception):
    """The feed could not be fetched or read; the message is shown to the practitioner
    (so it never carries the server's answer or our internal reasons)."""


def _feed_url(raw: str) -> str:
    """The http(s) URL of the feed (webcal:// is https)."""
    url = raw.strip()
    if url.lower().startswith("webcal://"):
        url = "https://" + url[len("webcal://") :]
    return url


def _fetch(url: str) -> bytes:
    """The feed's body through the guarded fetch (integrations/safe_fetch.py): public
    addresses only, the connection pinned to the checked address, at most 3 redirects
    each checked again, size and time capped. The reason for a failure goes to the log,
    the practitioner gets one fixed sentence."""
    try:
        response = guarded_fetch(
            url,
            max_bytes=CALENDAR_MAX_BYTES,
            headers={"Accept": "text/calendar, */*;q=0.5"},
            connect_timeout=CALENDAR_CONNECT_TIMEOUT,
            timeout_seconds=CALENDAR_TOTAL_TIMEOUT,
            max_redirects=CALENDAR_MAX_REDIRECTS,
        )
    except FetchError as error:
        logger.info("external calendar fetch refused or failed: %s", error)
        raise CalendarFetchError(CALENDAR_READ_FAILED) from error
    if response.status != 200:
        logger.info("external calendar fetch answered %s", response.status)
        raise CalendarFetchError(CALENDAR_READ_FAILED)
    return response.body


def _instant(value: date | datetime, zone: tzinfo) -> datetime:
    """A DTSTART/DTEND value as a UTC instant. All-day dates and floating times are read
    in the practitioner's zone (their calendar app shows them that way)."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    if timezone.is_naive(value):
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


def calendar_busy_intervals(
    *, body: bytes, zone: tzinfo, since: datetime, until: datetime
) -> list[tuple[datetime, datetime, str]]:
    """Busy (start, end, uid) in UTC from an iCal body, recurring events expanded over
    [since, until). Cancelled and transparent ("free") events do not block."""
    try:
        parsed = icalendar.Calendar.from_ical(body)
        occurrences = recurring_ical_events.of(parsed, skip_bad_series=True).between(since, until)
    except Exception as error:  # noqa: BLE001  (any parser failure is the feed's fault)
        logger.info("external calendar unreadable: %s", error)
        raise CalendarFetchError(CALENDAR_READ_FAILED) from error
    intervals = []
    for event in occurrences:
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            continue
        if str(event.get("TRANSP", "")).upper() == "TRANSPARENT":
            continue
        start_property = event.get("DTSTART")
        if start_property is None:
            continue
        starts_at = _instant(start_property.dt, zone)
        end_property = event.get("DTEND")
        if end_property is not None:
            ends_at = _instant(end_property.dt, zone)
        elif event.get("DURATION") is not None:
            ends_at = starts_at + event["DURATION"].dt
        elif not isinstance(start_property.dt, datetime):
            ends_at = _instant(start_property.dt + timedelta(days=1), zone)
        else:
            continue  # a moment, not a stretch of time
        if starts_at >= ends_at or ends_at <= since or starts_at >= until:
            continue
        intervals.append((starts_at, ends_at, str(event.get("UID", ""))[:255]))
        if len(intervals) > CALENDAR_MAX_EVENTS:
            raise CalendarFetchError(
                f"The calendar has more than {CALENDAR_MAX_EVENTS} events in the next "
                f"{CALENDAR_HORIZON.days} days."
            )
    intervals.sort()
    return intervals


def external_calendar_refresh(*, calendar: ExternalCalendar, now: datetime | None = None) -> bool:
    """Fetches the calendar's iCal feed and replaces its BusyTime rows for the next 90
    days. Returns whether it succeeded. A failure is recorded on the row (last_error) and
    keeps the previous busy times: a feed that is briefly down must not open up times
    the practitioner is actually busy."""
    now = timezone.now() if now is None else now
    until = now + CALENDAR_HORIZON
    zone = ZoneInfo(calendar.practitioner.time_zone)
    try:
        # The network call stays outside any transaction.
        body = _fetch(_feed_url(calendar.ical_url))
        intervals = calendar_busy_intervals(body=body, zone=zone, since=now, until=until)
    except CalendarFetchError as error:
        calendar.last_fetched_at = now
        calendar.last_error = str(error)[:_ERROR_LENGTH]
        calendar.save(update_fields=["last_fetched_at", "last_error"])
        return False
    with transaction.atomic():
        locked = ExternalCalendar.objects.select_for_update().get(pk=calendar.pk)
        locked.busy_times.all().delete()
        BusyTime.objects.bulk_create(
            BusyTime(calendar=locked, starts_at=starts_at, ends_at=ends_at, uid=uid)
            for starts_at, ends_at, uid in intervals
        )
        calendar.last_fetched_at = calendar.last_succeeded_at = now
        calendar.last_error = ""
        calendar.save(update_fields=["last_fetched_at", "last_succeeded_at", "last_error"])
    return True
