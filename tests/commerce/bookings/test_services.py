import datetime as dt
from pathlib import Path

import pytest
import requests
import responses

from commerce.bookings.models import BusyTime
from commerce.bookings.services import (
    CALENDAR_MAX_BYTES,
    external_calendar_refresh,
)
from commerce.bookings.tasks import refresh_external_calendars
from tests.commerce.bookings.factories import BusyTimeFactory, ExternalCalendarFactory

pytestmark = pytest.mark.django_db

FEED = "https://calendar.example.org/feeds/practitioner.ics"
ICS = (Path(__file__).parent / "data" / "practitioner.ics").read_bytes()
NOW = dt.datetime(2030, 1, 15, tzinfo=dt.UTC)


def utc(*args):
    return dt.datetime(*args, tzinfo=dt.UTC)


def busy_rows(calendar):
    return list(
        BusyTime.objects.filter(calendar=calendar)
        .order_by("starts_at")
        .values_list("starts_at", "ends_at", "uid")
    )


@responses.activate
def test_import_expands_recurring_events_and_skips_cancelled_and_free_ones():
    responses.get(FEED, body=ICS, content_type="text/calendar")
    calendar = ExternalCalendarFactory(ical_url=FEED)
    BusyTimeFactory(calendar=calendar)  # stale: replaced
    assert external_calendar_refresh(calendar=calendar, now=NOW) is True

    weekly = "weekly-supervision@example.org"
    mondays_gmt = [utc(2030, 1, 28, 10), *[utc(2030, 2, day, 10) for day in (11, 18, 25)]]
    mondays_gmt += [utc(2030, 3, day, 10) for day in (4, 11, 18, 25)]
    mondays_bst = [utc(2030, 4, 1, 9), utc(2030, 4, 8, 9)]  # still 10:00 in London
    expected = [(start, start + dt.timedelta(hours=1), weekly) for start in mondays_gmt]
    expected += [(start, start + dt.timedelta(hours=1), weekly) for start in mondays_bst]
    expected.append((utc(2030, 1, 30), utc(2030, 1, 31), "conference@example.org"))
    assert busy_rows(calendar) == sorted(expected)

    calendar.refresh_from_db()
    assert calendar.last_fetched_at == NOW
    assert calendar.last_succeeded_at == NOW
    assert calendar.last_error == ""


@responses.activate
def test_all_day_events_follow_the_practitioners_zone():
    responses.get(FEED, body=ICS)
    calendar = ExternalCalendarFactory(ical_url=FEED, practitioner__time_zone="Australia/Sydney")
    external_calendar_refresh(calendar=calendar, now=NOW)
    conference = BusyTime.objects.get(calendar=calendar, uid="conference@example.org")
    # Midnight to midnight in Sydney (AEDT, UTC+11).
    assert (conference.starts_at, conference.ends_at) == (
        utc(2030, 1, 29, 13),
        utc(2030, 1, 30, 13),
    )


@responses.activate
def test_refresh_twice_is_idempotent():
    responses.get(FEED, body=ICS)
    calendar = ExternalCalendarFactory(ical_url=FEED)
    external_calendar_refresh(calendar=calendar, now=NOW)
    first = busy_rows(calendar)
    external_calendar_refresh(calendar=calendar, now=NOW)
    assert busy_rows(calendar) == first


@responses.activate
def test_webcal_urls_are_fetched_over_https():
    responses.get(FEED, body=ICS)
    calendar = ExternalCalendarFactory(ical_url=FEED.replace("https://", "webcal://"))
    assert external_calendar_refresh(calendar=calendar, now=NOW) is True


@pytest.mark.parametrize(
    ("serve", "message"),
    [
        ({"body": requests.ConnectionError("Name or service not known")}, "could not be fetched"),
        ({"body": requests.Timeout("read timed out")}, "could not be fetched"),
        ({"status": 404, "body": "gone"}, "answered 404"),
        ({"body": b"<html>not a calendar</html>"}, "could not be read"),
        ({"body": b"X" * (CALENDAR_MAX_BYTES + 1)}, "larger than"),
    ],
)
@responses.activate
def test_failures_are_recorded_and_keep_the_previous_busy_times(serve, message):
    responses.get(FEED, **serve)
    calendar = ExternalCalendarFactory(ical_url=FEED)
    kept = BusyTimeFactory(calendar=calendar)
    assert external_calendar_refresh(calendar=calendar, now=NOW) is False
    calendar.refresh_from_db()
    assert message in calendar.last_error
    assert calendar.last_fetched_at == NOW
    assert calendar.last_succeeded_at is None
    assert list(BusyTime.objects.filter(calendar=calendar)) == [kept]


@pytest.mark.parametrize(
    "url",
    [
        "ftp://calendar.example.org/feed.ics",
        "http://127.0.0.1/feed.ics",
        "http://10.0.0.5/feed.ics",
        "http://[::1]/feed.ics",
        "http://localhost:8000/feed.ics",
        "http://metadata.internal/computeMetadata",
    ],
)
@responses.activate
def test_internal_or_odd_addresses_are_not_fetched(url):
    calendar = ExternalCalendarFactory(ical_url=url)
    assert external_calendar_refresh(calendar=calendar, now=NOW) is False
    calendar.refresh_from_db()
    assert calendar.last_error
    assert len(responses.calls) == 0


@responses.activate
def test_beat_task_refreshes_every_active_calendar():
    responses.get(FEED, body=ICS)
    active = ExternalCalendarFactory(ical_url=FEED)
    ExternalCalendarFactory(ical_url=FEED, is_active=False)
    assert refresh_external_calendars.delay().get() == 1
    active.refresh_from_db()
    assert active.last_succeeded_at is not None
    assert len(responses.calls) == 1
