"""Writes for availability. external_calendar_refresh imports a practitioner's outside
calendar (an iCal feed) as BusyTime rows that block slots."""

import ipaddress
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
import requests
from django.db import transaction
from django.utils import timezone

from commerce.bookings.models import BusyTime, ExternalCalendar

CALENDAR_HORIZON = timedelta(days=90)
CALENDAR_MAX_BYTES = 2 * 1024 * 1024
CALENDAR_MAX_EVENTS = 5000
CALENDAR_TIMEOUT = (5, 15)  # seconds: connect, read
_ERROR_LENGTH = 1000


class CalendarFetchError(Exception):
    """The feed could not be fetched or read; the message is shown to the practitioner."""


def _feed_url(raw: str) -> str:
    """http(s) URL for the feed (webcal:// is https); refuses hosts that are plainly
    internal, so a practitioner cannot point our fetcher at our own network."""
    url = raw.strip()
    if url.lower().startswith("webcal://"):
        url = "https://" + url[len("webcal://") :]
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise CalendarFetchError("The calendar address must be an http(s) or webcal URL.")
    host = parts.hostname.lower()
    if host == "localhost" or host.endswith((".localhost", ".internal", ".local")):
        raise CalendarFetchError("The calendar address must be a public address.")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return url
    if not address.is_global:
        raise CalendarFetchError("The calendar address must be a public address.")
    return url


def _fetch(url: str) -> bytes:
    try:
        with requests.get(
            url,
            timeout=CALENDAR_TIMEOUT,
            stream=True,
            headers={"Accept": "text/calendar, */*;q=0.5", "User-Agent": "Aeyia calendar sync"},
        ) as response:
            if response.status_code != 200:
                raise CalendarFetchError(f"The calendar server answered {response.status_code}.")
            body = bytearray()
            for chunk in response.iter_content(chunk_size=64 * 1024):
                body.extend(chunk)
                if len(body) > CALENDAR_MAX_BYTES:
                    raise CalendarFetchError(
                        f"The calendar is larger than {CALENDAR_MAX_BYTES // (1024 * 1024)} MB."
                    )
            return bytes(body)
    except requests.RequestException as error:
        raise CalendarFetchError(f"The calendar could not be fetched: {error}") from error


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
        raise CalendarFetchError(f"The calendar could not be read: {error}") from error
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
