import datetime as dt
from pathlib import Path

import pytest

from commerce.bookings.models import BusyTime
from commerce.bookings.services import external_calendar_refresh
from commerce.bookings.services.calendars import CALENDAR_READ_FAILED
from commerce.bookings.tasks import refresh_external_calendars
from integrations.safe_fetch import FetchedResponse, FetchError
from tests.commerce.bookings.factories import BusyTimeFactory, ExternalCalendarFactory

pytestmark = pytest.mark.django_db

FEED = "https://calendar.example.org/feeds/practitioner.ics"
ICS = (Path(__file__).parent / "data" / "practitioner.ics").read_bytes()
NOW = dt.datetime(2030, 1, 15, tzinfo=dt.UTC)


def utc(*args):
    return dt.datetime(*args, tzinfo=dt.UTC)


class FakeFetch:
    """Stands in for integrations.safe_fetch.guarded_fetch (tested on its own against a
    real local server in tests/integrations/test_safe_fetch.py): serves bodies or
    raises FetchError per URL and records the calls."""

    def __init__(self):
        self.answers: dict[str, FetchedResponse | FetchError] = {}
        self.calls: list[str] = []

    def serve(self, url, *, body=b"", status=200, error=None):
        self.answers[url] = error or FetchedResponse(
            url=url, status=status, content_type="text/calendar", body=body
        )

    def __call__(self, url, **options):
        self.calls.append(url)
        answer = self.answers.get(url, FetchError("nothing served"))
        if isinstance(answer, FetchError):
            raise answer
        return answer


@pytest.fixture
def feed(monkeypatch):
    fake = FakeFetch()
    monkeypatch.setattr("commerce.bookings.services.calendars.guarded_fetch", fake)
    return fake


def busy_rows(calendar):
    return list(
        BusyTime.objects.filter(calendar=calendar)
        .order_by("starts_at")
        .values_list("starts_at", "ends_at", "uid")
    )


def test_import_expands_recurring_events_and_skips_cancelled_and_free_ones(feed):
    feed.serve(FEED, body=ICS)
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


def test_all_day_events_follow_the_practitioners_zone(feed):
    feed.serve(FEED, body=ICS)
    calendar = ExternalCalendarFactory(ical_url=FEED, practitioner__time_zone="Australia/Sydney")
    external_calendar_refresh(calendar=calendar, now=NOW)
    conference = BusyTime.objects.get(calendar=calendar, uid="conference@example.org")
    # Midnight to midnight in Sydney (AEDT, UTC+11).
    assert (conference.starts_at, conference.ends_at) == (
        utc(2030, 1, 29, 13),
        utc(2030, 1, 30, 13),
    )


def test_refresh_twice_is_idempotent(feed):
    feed.serve(FEED, body=ICS)
    calendar = ExternalCalendarFactory(ical_url=FEED)
    external_calendar_refresh(calendar=calendar, now=NOW)
    first = busy_rows(calendar)
    external_calendar_refresh(calendar=calendar, now=NOW)
    assert busy_rows(calendar) == first


def test_webcal_urls_are_fetched_over_https(feed):
    feed.serve(FEED, body=ICS)
    calendar = ExternalCalendarFactory(ical_url=FEED.replace("https://", "webcal://"))
    assert external_calendar_refresh(calendar=calendar, now=NOW) is True


@pytest.mark.parametrize(
    "serve",
    [
        {"error": FetchError("could not resolve 'calendar.example.org'")},
        {"error": FetchError("'calendar.example.org' resolves to a non-public address 10.0.0.5")},
        {"error": FetchError("body larger than 2097152 bytes")},
        {"status": 404, "body": b"<h1>secret internal page</h1>"},
        {"body": b"<html>secret internal page, not a calendar</html>"},
    ],
)
def test_failures_are_recorded_generically_and_keep_the_previous_busy_times(feed, serve):
    feed.serve(FEED, **serve)
    calendar = ExternalCalendarFactory(ical_url=FEED)
    kept = BusyTimeFactory(calendar=calendar)
    assert external_calendar_refresh(calendar=calendar, now=NOW) is False
    calendar.refresh_from_db()
    # One fixed sentence: never the server's bytes, the status or our internal reason.
    assert calendar.last_error == CALENDAR_READ_FAILED
    assert calendar.last_fetched_at == NOW
    assert calendar.last_succeeded_at is None
    assert list(BusyTime.objects.filter(calendar=calendar)) == [kept]


def test_refresh_goes_through_the_guarded_fetch_for_internal_addresses(monkeypatch):
    """Without the fake: the real guarded fetch refuses before any connection."""
    resolved = []

    def resolver(host, port, *args, **kwargs):
        resolved.append(host)
        return [(2, 1, 6, "", ("169.254.169.254", port))]

    monkeypatch.setattr("socket.getaddrinfo", resolver)
    for url in (
        "ftp://calendar.example.org/feed.ics",
        "http://127.0.0.1/feed.ics",
        "http://localhost:8000/feed.ics",
        "http://metadata.google.internal/computeMetadata/v1/",
        "https://calendar.example.org/feed.ics",
    ):
        calendar = ExternalCalendarFactory(ical_url=url)
        assert external_calendar_refresh(calendar=calendar, now=NOW) is False
        calendar.refresh_from_db()
        assert calendar.last_error == CALENDAR_READ_FAILED
    assert resolved == ["calendar.example.org"]


def test_beat_task_refreshes_every_active_calendar(feed, django_capture_on_commit_callbacks):
    feed.serve(FEED, body=ICS)
    active = ExternalCalendarFactory(ical_url=FEED)
    ExternalCalendarFactory(ical_url=FEED, is_active=False)
    # The per-calendar tasks are enqueued after commit (events.outbox).
    with django_capture_on_commit_callbacks(execute=True):
        assert refresh_external_calendars.delay().get() == 1
    active.refresh_from_db()
    assert active.last_succeeded_at is not None
    assert len(feed.calls) == 1


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "webcal://localhost/feed.ics",
        "https://user:secret@calendar.example.org/feed.ics",
        "gopher://calendar.example.org/",
    ],
)
def test_adding_a_plainly_internal_calendar_address_is_refused(url):
    from django.core.exceptions import ValidationError

    from commerce.bookings.services.availability import external_calendar_add
    from tests.marketplace.practitioners.factories import PractitionerProfileFactory

    with pytest.raises(ValidationError) as refused:
        external_calendar_add(practitioner=PractitionerProfileFactory(), ical_url=url)
    assert refused.value.message_dict["ical_url"] == [
        "Enter the public address of an http(s) or webcal calendar."
    ]
