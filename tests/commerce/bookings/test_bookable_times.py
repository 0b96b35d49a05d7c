"""One selector for the bookable times of a service (bookable_slots): a confirmed booking
or a running hold at 09:00 keeps 09:00 out of every list of times we offer — the slots
API, the booking page, the directory's next times and available-on filter, and the
client's and practitioner's reschedule lists. The API used to skip the live bookings."""

import datetime as dt

import pytest
import time_machine
from rest_framework.test import APIClient

from commerce.bookings.directory import practitioner_next_available, practitioner_public
from commerce.bookings.models import AvailabilityRule, Booking
from commerce.bookings.selectors import (
    bookable_diaries,
    bookable_slots,
    diaries_for,
    reschedule_slots,
)
from tests.accounts.factories import UserFactory
from tests.marketplace.practitioners.factories import PractitionerProfileFactory, ServiceFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC)  # Tuesday
MONDAY = dt.date(2030, 1, 7)


def at(hour: int) -> dt.datetime:
    return dt.datetime.combine(MONDAY, dt.time(hour), tzinfo=dt.UTC)


def stamp(hour: int) -> str:
    return at(hour).strftime("%Y-%m-%dT%H:%M:%SZ")


def book(service, hour: int, *, client=None, status="confirmed", hold_minutes=None) -> Booking:
    starts_at = at(hour)
    return Booking.objects.create(
        client=client or UserFactory(),
        service=service,
        practitioner=service.practitioner,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=1),
        blocked_start=starts_at,
        blocked_end=starts_at + dt.timedelta(hours=1),
        status=status,
        hold_expires_at=None if hold_minutes is None else NOW + dt.timedelta(minutes=hold_minutes),
        pay_with="card",
        price_amount=service.price,
        price_currency=service.currency,
    )


@pytest.fixture
def service():
    """Open on Mondays 09:00–13:00 UTC; 60-minute sessions; 09:00 is booked, 10:00 is
    held (the hold runs), 11:00 was held but the hold has run out, 12:00 is free."""
    practitioner = PractitionerProfileFactory(slug="ada", time_zone="UTC")
    AvailabilityRule.objects.create(
        practitioner=practitioner, weekday=0, start_time=dt.time(9), end_time=dt.time(13)
    )
    service = ServiceFactory(
        practitioner=practitioner,
        duration_minutes=60,
        buffer_before_minutes=0,
        buffer_after_minutes=0,
        minimum_notice_minutes=0,
    )
    book(service, 9)
    book(service, 10, status="held", hold_minutes=5)
    book(service, 11, status="held", hold_minutes=-1)
    return service


@time_machine.travel(NOW, tick=False)
def test_the_slots_api_leaves_out_booked_and_held_times(service):
    response = APIClient().get(
        "/api/v1/practitioners/ada/slots/",
        {"service": service.pk, "start": "2030-01-07T00:00:00Z", "end": "2030-01-08T00:00:00Z"},
    )
    assert response.status_code == 200
    starts = [slot["start"] for slot in response.json()["slots"]]
    assert starts == [stamp(11), stamp(12)]


@time_machine.travel(NOW, tick=False)
def test_the_booking_page_leaves_out_booked_and_held_times(client, service):
    client.force_login(UserFactory())
    response = client.get(f"/practitioners/ada/book/?service={service.pk}")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"start={stamp(9)}" not in html
    assert f"start={stamp(10)}" not in html
    assert f"start={stamp(11)}" in html
    assert f"start={stamp(12)}" in html


@time_machine.travel(NOW, tick=False)
def test_the_directory_leaves_out_booked_and_held_times(service):
    practitioner = practitioner_public(slug="ada")
    starts = [
        open_time.starts_at for open_time in practitioner_next_available(practitioner=practitioner)
    ]
    assert starts[:2] == [at(11), at(12)]
    assert at(9) not in starts and at(10) not in starts

    api = APIClient()
    listed = api.get("/api/v1/practitioners/", {"available_on": "2030-01-07"}).json()
    assert [row["slug"] for row in listed["results"]] == ["ada"]
    # The beat ends the run-out hold at 11:00 (its row blocks the range on PostgreSQL).
    Booking.objects.filter(starts_at=at(11)).update(status="expired")
    book(service, 11)
    book(service, 12, status="held", hold_minutes=5)
    listed = api.get("/api/v1/practitioners/", {"available_on": "2030-01-07"}).json()
    assert listed["results"] == []


@time_machine.travel(NOW, tick=False)
def test_the_reschedule_lists_leave_out_booked_and_held_times(client, service):
    person = UserFactory()
    own = book(service, 12, client=person)
    slots = reschedule_slots(booking=own, start=at(0), end=at(23))
    assert [slot.starts_at for slot in slots] == [at(11)]

    client.force_login(person)
    response = client.get(f"/account/bookings/{own.pk}/move/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'value="{stamp(11)}"' in html
    for hour in (9, 10, 12):
        assert f'value="{stamp(hour)}"' not in html


@time_machine.travel(NOW, tick=False)
def test_a_diary_without_its_bookings_is_refused(service):
    kwargs = {
        "practitioner_ids": [service.practitioner_id],
        "first_day": MONDAY - dt.timedelta(days=3),
        "last_day": MONDAY + dt.timedelta(days=3),
        "since": at(0) - dt.timedelta(days=2),
        "until": at(0) + dt.timedelta(days=3),
    }
    [bare] = diaries_for(**kwargs).values()
    with pytest.raises(ValueError, match="bookable_diaries"):
        bookable_slots(service=service, start=at(0), end=at(23), diary=bare)
    [loaded] = bookable_diaries(**kwargs, now=NOW).values()
    slots = bookable_slots(service=service, start=at(0), end=at(23), diary=loaded)
    assert [slot.starts_at for slot in slots] == [at(11), at(12)]
