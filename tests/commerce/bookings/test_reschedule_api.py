"""POST /api/v1/bookings/{id}/reschedule/ and /no-show/, and pay_with=membership on
POST /api/v1/bookings/: status codes and error codes (DESIGN.md §6), 404 for other
people's bookings, no input that gives a 500."""

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from commerce.bookings.models import Booking
from commerce.credits.models import CreditTransaction
from commerce.memberships.models import Membership, MembershipPlan
from tests.accounts.factories import UserFactory
from tests.commerce.bookings.booking_setup import CREDIT_PRICE, bookable_service, slot
from tests.commerce.credits.factories import give_credits

pytestmark = pytest.mark.django_db


@pytest.fixture
def service():
    return bookable_service(
        accepts_membership=True,
        cancellation_tiers=[{"hours_before": 24, "refund_percent": 100}],
    )


def signed_in(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def booked(service, user=None, start=None) -> tuple[APIClient, dict]:
    user = user or UserFactory()
    give_credits(user=user, amount=CREDIT_PRICE)
    api = signed_in(user)
    answer = api.post(
        "/api/v1/bookings/",
        {"service": service.pk, "start": (start or slot()).isoformat(), "pay_with": "credits"},
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    return api, answer.json()


def move(api, booking_id, start):
    return api.post(
        f"/api/v1/bookings/{booking_id}/reschedule/",
        {"start": start if isinstance(start, str) else start.isoformat()},
        format="json",
    )


def test_the_client_moves_their_booking(service):
    api, booking = booked(service)
    answer = move(api, booking["id"], slot(hour=14))
    assert answer.status_code == 200
    body = answer.json()
    assert body["start"] == "{}".format(slot(hour=14).isoformat().replace("+00:00", "Z"))
    assert body["status"] == "confirmed"
    assert body["rescheduled_at"] is not None


def test_the_practitioner_moves_a_booking_of_theirs(service):
    _, booking = booked(service)
    practitioner = signed_in(service.practitioner.user)
    assert move(practitioner, booking["id"], slot(hour=14)).status_code == 200


def test_a_taken_time_is_409_slot_taken(service):
    api, booking = booked(service)
    booked(service, start=slot(hour=14))
    answer = move(api, booking["id"], slot(hour=14))
    assert answer.status_code == 409
    assert answer.json()["code"] == "slot_taken"


def test_a_time_not_offered_is_409_slot_unavailable(service):
    api, booking = booked(service)
    answer = move(api, booking["id"], slot(hour=22))
    assert (answer.status_code, answer.json()["code"]) == (409, "slot_unavailable")


def test_past_the_full_refund_the_client_gets_409_reschedule_not_allowed(service):
    api, booking = booked(service)
    soon = timezone.now() + dt.timedelta(hours=5)
    Booking.objects.filter(pk=booking["id"]).update(
        starts_at=soon,
        ends_at=soon + dt.timedelta(hours=1),
        blocked_start=soon,
        blocked_end=soon + dt.timedelta(hours=1),
    )
    answer = move(api, booking["id"], slot(days=5))
    assert (answer.status_code, answer.json()["code"]) == (409, "reschedule_not_allowed")


def test_someone_elses_booking_is_404(service):
    _, booking = booked(service)
    stranger = signed_in(UserFactory())
    assert move(stranger, booking["id"], slot(hour=14)).status_code == 404
    assert stranger.post(f"/api/v1/bookings/{booking['id']}/no-show/").status_code == 404
    assert move(stranger, 2**70, slot(hour=14)).status_code == 404


@pytest.mark.parametrize("start", ["", "tomorrow", "2030-01-07T09:00:00", "9" * 80])
def test_bad_input_is_400(service, start):
    api, booking = booked(service)
    answer = move(api, booking["id"], start)
    assert answer.status_code == 400


def test_signed_out_is_refused(service):
    _, booking = booked(service)
    answer = APIClient().post(
        f"/api/v1/bookings/{booking['id']}/reschedule/", {"start": slot().isoformat()}
    )
    assert answer.status_code in (401, 403)


@given(body=st.dictionaries(st.text(max_size=10), st.text(max_size=40) | st.integers()))
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_no_body_gives_a_500(service, body):
    user = UserFactory()
    booking = Booking.objects.filter(client__isnull=False).first()
    if booking is None:
        _, data = booked(service, user=user)
        booking = Booking.objects.get(pk=data["id"])
    api = signed_in(booking.client)
    answer = api.post(f"/api/v1/bookings/{booking.pk}/reschedule/", body, format="json")
    assert answer.status_code < 500


# ---------- no-show ----------


def test_no_show_before_the_start_is_409_and_the_client_cannot_mark_it(service):
    api, booking = booked(service)
    assert api.post(f"/api/v1/bookings/{booking['id']}/no-show/").status_code == 404
    practitioner = signed_in(service.practitioner.user)
    answer = practitioner.post(f"/api/v1/bookings/{booking['id']}/no-show/")
    assert (answer.status_code, answer.json()["code"]) == (409, "no_show_not_allowed")


def test_the_practitioner_marks_a_started_session_as_no_show(service):
    _, booking = booked(service)
    past = slot(days=-1)
    Booking.objects.filter(pk=booking["id"]).update(
        starts_at=past,
        ends_at=past + dt.timedelta(hours=1),
        blocked_start=past,
        blocked_end=past + dt.timedelta(hours=1),
    )
    practitioner = signed_in(service.practitioner.user)
    answer = practitioner.post(f"/api/v1/bookings/{booking['id']}/no-show/")
    assert answer.status_code == 200
    assert answer.json()["status"] == "no_show"
    assert answer.json()["no_show_at"] is not None


# ---------- membership ----------


def member(*, allowance: int):
    user = UserFactory()
    plan = MembershipPlan.objects.create(slug=f"p{user.pk}", name="Member", price=1500)
    Membership.objects.create(user=user, plan=plan)
    if allowance:
        give_credits(
            user=user,
            amount=allowance,
            kind=CreditTransaction.Kind.ALLOWANCE,
            expires_at=slot(days=30),
        )
    return user


def book_with_membership(api, service, start=None):
    return api.post(
        "/api/v1/bookings/",
        {"service": service.pk, "start": (start or slot()).isoformat(), "pay_with": "membership"},
        format="json",
    )


def test_membership_booking_is_201_and_spends_the_allowance(service):
    user = member(allowance=CREDIT_PRICE)
    answer = book_with_membership(signed_in(user), service)
    assert answer.status_code == 201
    assert (answer.json()["status"], answer.json()["pay_with"]) == ("confirmed", "membership")


def test_membership_with_the_allowance_spent_is_402(service):
    user = member(allowance=CREDIT_PRICE - 1)
    give_credits(user=user, amount=20)  # bought credits do not count
    answer = book_with_membership(signed_in(user), service)
    assert (answer.status_code, answer.json()["code"]) == (402, "insufficient_allowance")


def test_membership_without_a_membership_is_402(service):
    user = UserFactory()
    give_credits(user=user, amount=20, kind=CreditTransaction.Kind.ALLOWANCE)
    answer = book_with_membership(signed_in(user), service)
    assert (answer.status_code, answer.json()["code"]) == (402, "membership_required")


def test_membership_for_a_service_that_does_not_take_it_is_400():
    service = bookable_service(accepts_membership=False)
    answer = book_with_membership(signed_in(member(allowance=10)), service)
    assert (answer.status_code, answer.json()["code"]) == (400, "payment_method_not_accepted")
