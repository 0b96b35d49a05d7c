"""Moves racing for one free time, under real concurrency: two reschedules, and a
reschedule against a new booking, on PostgreSQL (the exclusion constraint refuses the
loser's UPDATE or INSERT) and SQLite (serialized write transactions). Exactly one wins;
the other gets 409 slot_taken, never a server error. The live-server race goes through
the HTTP API."""

import json
import threading
import urllib.error
import urllib.request

import pytest
from django.db import close_old_connections
from django.test import Client

from commerce.bookings.models import Booking
from commerce.bookings.services import (
    booking_confirm_with_credits,
    booking_hold,
    booking_reschedule,
)
from commerce.errors import Conflict
from tests.accounts.factories import UserFactory
from tests.commerce.bookings.booking_setup import CREDIT_PRICE, bookable_service, slot
from tests.commerce.credits.factories import give_credits

CSRF = "c" * 32
TIERS = [{"hours_before": 24, "refund_percent": 100}]


@pytest.fixture(autouse=True)
def _bookings_go_before_the_ledger():
    """Bookings point at ledger rows; on SQLite the ledger is emptied before Django's
    flush (tests/conftest.py), so the bookings must go first."""
    yield
    Booking.objects.all().delete()


def _confirmed(service, hour: int) -> Booking:
    user = UserFactory()
    give_credits(user=user, amount=CREDIT_PRICE)
    booking = booking_hold(
        client=user, service=service, starts_at=slot(hour=hour), pay_with="credits"
    )
    return booking_confirm_with_credits(booking=booking)


def _race(*actions) -> list[str]:
    barrier = threading.Barrier(len(actions))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(action) -> None:
        try:
            barrier.wait()
            action()
            outcome = "won"
        except Conflict as error:
            outcome = error.api_code
        except Exception as error:  # anything else would be a 500 in a view
            outcome = f"error: {type(error).__name__}: {error}"
        finally:
            close_old_connections()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def _live_at(service, starts_at) -> list[int]:
    return list(
        Booking.objects.filter(
            practitioner=service.practitioner,
            status__in=Booking.LIVE_STATUSES,
            starts_at=starts_at,
        ).values_list("pk", flat=True)
    )


@pytest.mark.django_db(transaction=True)
def test_two_reschedules_to_one_free_time_leave_one():
    service = bookable_service(cancellation_tiers=TIERS)
    first, second = _confirmed(service, 10), _confirmed(service, 12)
    target = slot(hour=14)

    outcomes = _race(
        lambda: booking_reschedule(booking=first, by=first.client, starts_at=target),
        lambda: booking_reschedule(booking=second, by=second.client, starts_at=target),
    )

    assert outcomes == ["slot_taken", "won"], outcomes
    [winner] = _live_at(service, target)
    loser = second if winner == first.pk else first
    loser.refresh_from_db()
    assert loser.status == Booking.Status.CONFIRMED
    assert loser.starts_at in (slot(hour=10), slot(hour=12))
    assert loser.reschedule_count == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("new_hour", [14, 15])  # the same time, and one touching the buffer
def test_a_reschedule_racing_a_new_booking_leaves_one(new_hour):
    service = bookable_service(cancellation_tiers=TIERS)
    moving = _confirmed(service, 10)
    newcomer = UserFactory()
    give_credits(user=newcomer, amount=CREDIT_PRICE)
    target = slot(hour=14)

    def book_new() -> None:
        booking = booking_hold(
            client=newcomer, service=service, starts_at=slot(hour=new_hour), pay_with="credits"
        )
        booking_confirm_with_credits(booking=booking)

    outcomes = _race(
        lambda: booking_reschedule(booking=moving, by=moving.client, starts_at=target),
        book_new,
    )

    # At 15:00 the newcomer's session meets the moved one's 15-minute buffer after 15:00.
    assert outcomes == ["slot_taken", "won"], outcomes
    live = Booking.objects.filter(
        practitioner=service.practitioner, status__in=Booking.LIVE_STATUSES
    )
    blocked = sorted(live.values_list("blocked_start", "blocked_end"))
    for (_, end), (start, _) in zip(blocked, blocked[1:], strict=False):
        assert end <= start, blocked


@pytest.mark.django_db(transaction=True)
def test_two_reschedules_through_the_api_answer_200_and_409(live_server):
    service = bookable_service(cancellation_tiers=TIERS)
    bookings = [_confirmed(service, 10), _confirmed(service, 12)]
    target = slot(hour=14).isoformat()
    answers: list[tuple[int, dict]] = []
    lock = threading.Lock()
    barrier = threading.Barrier(2)

    def cookie_for(user) -> str:
        browser = Client()
        browser.force_login(user)
        return f"sessionid={browser.cookies['sessionid'].value}; csrftoken={CSRF}"

    def move(booking, cookie) -> None:
        request = urllib.request.Request(  # noqa: S310  (our own live server)
            f"{live_server.url}/api/v1/bookings/{booking.pk}/reschedule/",
            data=json.dumps({"start": target}).encode(),
            headers={"Content-Type": "application/json", "Cookie": cookie, "X-CSRFToken": CSRF},
            method="POST",
        )
        barrier.wait()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                answer = (response.status, json.loads(response.read()))
        except urllib.error.HTTPError as error:
            answer = (error.code, json.loads(error.read() or b"{}"))
        with lock:
            answers.append(answer)

    threads = [
        threading.Thread(target=move, args=(booking, cookie_for(booking.client)))
        for booking in bookings
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(status for status, _ in answers) == [200, 409], answers
    assert [body["code"] for status, body in answers if status == 409] == ["slot_taken"]
    assert len(_live_at(service, slot(hour=14))) == 1
