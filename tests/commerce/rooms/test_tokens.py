"""Join tokens: bound to the booking, the person and the window; short-lived; used once;
revoked on leave."""

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from commerce.rooms import services
from commerce.rooms.errors import RoomClosed, TokenRefused
from commerce.rooms.models import JoinToken, Room, RoomEvent
from commerce.rooms.selectors import room_for_participant
from tests.accounts.factories import UserFactory
from tests.commerce.rooms.room_setup import room_booking
from tests.concurrency import race

pytestmark = pytest.mark.django_db


def test_a_token_lives_two_minutes_for_one_person_and_booking():
    booking = room_booking()
    now = timezone.now()
    token = services.join_token_issue(user=booking.client, booking=booking, now=now)
    assert token.expires_at == now + dt.timedelta(seconds=120)
    assert (token.user, token.booking) == (booking.client, booking)
    spent = services.join_token_consume(
        token=str(token.token), user=booking.client, booking_id=booking.pk, now=now
    )
    assert spent.used_at == now


def test_a_token_never_outlives_the_window():
    # The room closes in a minute: the token dies with it, not two minutes from now.
    booking = room_booking(starts_in=dt.timedelta(minutes=-64), minutes=50)
    now = timezone.now()
    token = services.join_token_issue(user=booking.client, booking=booking, now=now)
    assert token.expires_at == booking.ends_at + dt.timedelta(minutes=15)
    assert token.expires_at < now + dt.timedelta(seconds=120)


def test_someone_elses_token_is_refused():
    booking = room_booking()
    token = services.join_token_issue(user=booking.client, booking=booking)
    with pytest.raises(TokenRefused):
        services.join_token_consume(
            token=str(token.token), user=booking.practitioner.user, booking_id=booking.pk
        )
    assert JoinToken.objects.get(pk=token.pk).used_at is None


def test_a_token_for_another_booking_is_refused():
    booking = room_booking()
    second = room_booking(client=booking.client)
    token = services.join_token_issue(user=booking.client, booking=booking)
    with pytest.raises(TokenRefused):
        services.join_token_consume(
            token=str(token.token), user=booking.client, booking_id=second.pk
        )


def test_no_token_before_the_window_opens():
    booking = room_booking(starts_in=dt.timedelta(minutes=11))
    with pytest.raises(RoomClosed) as caught:
        services.join_token_issue(user=booking.client, booking=booking)
    assert caught.value.api_code == "room_not_open_yet"
    assert not JoinToken.objects.exists()


def test_no_token_after_the_window_closes():
    booking = room_booking(starts_in=dt.timedelta(minutes=-66), minutes=50)
    with pytest.raises(RoomClosed) as caught:
        services.join_token_issue(user=booking.client, booking=booking)
    assert caught.value.api_code == "room_closed"


def test_a_token_is_not_issued_to_a_stranger():
    booking = room_booking()
    with pytest.raises(Http404):
        services.join_token_issue(user=UserFactory(), booking=booking)


def test_an_expired_token_is_refused():
    booking = room_booking()
    now = timezone.now()
    token = services.join_token_issue(user=booking.client, booking=booking, now=now)
    with pytest.raises(TokenRefused):
        services.join_token_consume(
            token=str(token.token),
            user=booking.client,
            booking_id=booking.pk,
            now=now + dt.timedelta(seconds=120),
        )


def test_a_token_is_used_once():
    booking = room_booking()
    token = services.join_token_issue(user=booking.client, booking=booking)
    services.join_token_consume(token=str(token.token), user=booking.client, booking_id=booking.pk)
    with pytest.raises(TokenRefused):
        services.join_token_consume(
            token=str(token.token), user=booking.client, booking_id=booking.pk
        )


@pytest.mark.parametrize("value", ["", "not-a-uuid", "00000000-0000-0000-0000-000000000000", None])
def test_malformed_or_unknown_tokens_are_refused(value):
    booking = room_booking()
    with pytest.raises(TokenRefused):
        services.join_token_consume(token=value, user=booking.client, booking_id=booking.pk)


def test_a_token_replayed_after_leave_is_refused():
    booking = room_booking()
    access = room_for_participant(user=booking.client, booking_id=booking.pk)
    token = services.join_token_issue(user=booking.client, booking=booking)
    welcome = services.room_join(access=access, token=str(token.token))
    services.room_leave(access=access, token_id=welcome["token_id"])
    token.refresh_from_db()
    assert token.revoked_at is not None
    with pytest.raises(TokenRefused):
        services.room_join(access=access, token=str(token.token))
    kinds = list(RoomEvent.objects.filter(booking=booking).values_list("kind", flat=True))
    assert kinds == ["joined", "left"]


def test_leave_revokes_older_unused_tokens_but_not_one_fetched_to_reconnect():
    booking = room_booking()
    access = room_for_participant(user=booking.client, booking_id=booking.pk)
    older = services.join_token_issue(user=booking.client, booking=booking)
    joined = services.join_token_issue(user=booking.client, booking=booking)
    welcome = services.room_join(access=access, token=str(joined.token))
    reconnect = services.join_token_issue(user=booking.client, booking=booking)
    services.room_leave(access=access, token_id=welcome["token_id"])
    with pytest.raises(TokenRefused):
        services.room_join(access=access, token=str(older.token))
    assert services.room_join(access=access, token=str(reconnect.token))["type"] == "welcome"


def test_joining_after_the_window_closed_is_refused_even_with_a_fresh_token():
    booking = room_booking(starts_in=dt.timedelta(minutes=-50), minutes=50)
    access = room_for_participant(user=booking.client, booking_id=booking.pk)
    token = services.join_token_issue(user=booking.client, booking=booking)
    with pytest.raises(RoomClosed):
        services.room_join(
            access=access, token=str(token.token), now=timezone.now() + dt.timedelta(minutes=16)
        )


@pytest.mark.django_db(transaction=True)
def test_two_sockets_racing_with_one_token_one_wins():
    booking = room_booking()
    token = services.join_token_issue(user=booking.client, booking=booking)

    def consume():
        services.join_token_consume(
            token=str(token.token), user=booking.client, booking_id=booking.pk
        )

    outcomes = race([consume] * 4)
    assert outcomes == {"ok": 1, "token_refused": 3}
    assert Room.objects.count() == 0
