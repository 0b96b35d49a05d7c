"""Who may enter a booking's room (404 for anyone else) and when it is open."""

import datetime as dt

import pytest
from django.http import Http404
from django.test import override_settings

from accounts.roles import Role
from commerce.bookings.models import Booking
from commerce.rooms.selectors import room_for_participant, room_window
from tests.accounts.factories import UserFactory
from tests.commerce.rooms.room_setup import room_booking
from tests.marketplace.practitioners.factories import PractitionerProfileFactory

pytestmark = pytest.mark.django_db


def test_the_client_and_the_practitioner_enter_with_their_roles():
    booking = room_booking()
    as_client = room_for_participant(user=booking.client, booking_id=booking.pk)
    as_practitioner = room_for_participant(user=booking.practitioner.user, booking_id=booking.pk)
    assert (as_client.role, as_client.other_user) == ("client", booking.practitioner.user)
    assert (as_practitioner.role, as_practitioner.other_user) == ("practitioner", booking.client)
    assert as_client.other_role == "practitioner"


@pytest.mark.parametrize(
    "who",
    ["stranger", "staff", "superuser", "other_practitioner", "other_client", "anonymous"],
)
def test_anyone_else_gets_404(who):
    booking = room_booking()
    other = room_booking()  # another pair's booking: its people are not ours
    user = {
        "stranger": lambda: UserFactory(),
        "staff": lambda: UserFactory(is_staff=True, roles=[Role.STAFF]),
        "superuser": lambda: UserFactory(is_staff=True, is_superuser=True),
        "other_practitioner": lambda: other.practitioner.user,
        "other_client": lambda: other.client,
        "anonymous": lambda: None,
    }[who]()
    with pytest.raises(Http404):
        room_for_participant(user=user, booking_id=booking.pk)


@pytest.mark.parametrize(
    "status", [Booking.Status.HELD, Booking.Status.CANCELLED, Booking.Status.EXPIRED]
)
def test_a_booking_that_was_never_confirmed_has_no_room(status):
    booking = room_booking(status=status)
    for user in (booking.client, booking.practitioner.user):
        with pytest.raises(Http404):
            room_for_participant(user=user, booking_id=booking.pk)


def test_an_in_person_session_has_no_room():
    booking = room_booking(is_online=False)
    with pytest.raises(Http404):
        room_for_participant(user=booking.client, booking_id=booking.pk)


@pytest.mark.parametrize("booking_id", ["abc", "", "0", "-3", str(2**63), "9" * 40, None])
def test_ids_that_are_not_bookings_are_404_not_errors(booking_id):
    booking = room_booking()
    with pytest.raises(Http404):
        room_for_participant(user=booking.client, booking_id=booking_id)


def test_a_practitioner_booked_as_a_client_with_someone_else_enters_as_the_client():
    practitioner = PractitionerProfileFactory()
    booking = room_booking(client=practitioner.user)
    assert room_for_participant(user=practitioner.user, booking_id=booking.pk).role == "client"


@override_settings(ROOM_OPENS_MINUTES=10, ROOM_GRACE_MINUTES=15)
def test_the_window_opens_ten_minutes_before_and_closes_after_the_grace():
    booking = room_booking(starts_in=dt.timedelta(hours=2), minutes=50)
    start, end = booking.starts_at, booking.ends_at
    assert room_window(booking, now=start - dt.timedelta(minutes=10, seconds=1)).state == "early"
    assert room_window(booking, now=start - dt.timedelta(minutes=10)).state == "open"
    assert room_window(booking, now=end + dt.timedelta(minutes=14, seconds=59)).state == "open"
    window = room_window(booking, now=end + dt.timedelta(minutes=15))
    assert window.state == "ended"
    assert window.opens_at == start - dt.timedelta(minutes=10)
    assert window.closes_at == end + dt.timedelta(minutes=15)


def test_a_completed_booking_keeps_an_ended_room_page():
    booking = room_booking(status=Booking.Status.COMPLETED)
    access = room_for_participant(user=booking.client, booking_id=booking.pk)
    assert room_window(access.booking).state == "ended"
