"""POST/GET /api/v1/bookings/ and POST /api/v1/bookings/{id}/cancel/: the status codes
of DESIGN.md §6, 404 for other people's bookings, and no input that gives a 500."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from commerce.bookings.models import Booking
from commerce.credits.selectors import credits_balance
from integrations.stripe.local import StripeLocalGateway, simulator
from tests.accounts.factories import UserFactory
from tests.commerce.bookings.booking_setup import (
    CREDIT_PRICE,
    PRICE,
    bookable_service,
    onboard_payouts,
    slot,
)
from tests.commerce.credits.factories import give_credits
from tests.commerce.partners.factories import SponsorPoolFactory, enrolled_client

pytestmark = pytest.mark.django_db

URL = "/api/v1/bookings/"


@pytest.fixture(autouse=True)
def _offline_stripe():
    StripeLocalGateway.reset()
    yield
    StripeLocalGateway.reset()


@pytest.fixture
def service():
    return bookable_service()


def signed_in(user=None, *, with_credits=0) -> APIClient:
    user = user or UserFactory()
    if with_credits:
        give_credits(user=user, amount=with_credits)
    api = APIClient()
    api.force_authenticate(user)
    api.user = user
    return api


def book(api, service, *, pay_with="credits", start=None):
    return api.post(
        URL,
        {"service": service.pk, "start": (start or slot()).isoformat(), "pay_with": pay_with},
        format="json",
    )


def test_booking_with_credits_is_201_and_confirmed(service):
    api = signed_in(with_credits=10)
    response = book(api, service)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "confirmed"
    assert body["service"] == service.pk
    assert body["practitioner"] == service.practitioner.slug
    assert body["pay_with"] == "credits"
    assert body["price_credits"] == CREDIT_PRICE
    assert body["checkout_url"] is None
    assert body["start"].startswith(slot().strftime("%Y-%m-%dT%H:%M"))
    assert credits_balance(user=api.user) == 10 - CREDIT_PRICE


def test_booking_by_card_holds_and_returns_where_to_pay(
    service, django_capture_on_commit_callbacks
):
    onboard_payouts(service.practitioner.user, django_capture_on_commit_callbacks)
    api = signed_in()
    response = book(api, service, pay_with="card")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "held"
    assert body["price_amount"] == PRICE
    assert body["checkout_url"]

    booking = Booking.objects.get(pk=body["id"])
    with django_capture_on_commit_callbacks(execute=True):
        simulator.checkout_pay(booking.payment.checkout_session_id)
    [listed] = api.get(URL).json()["results"]
    assert listed["status"] == "confirmed"
    assert listed["checkout_url"] is None


def test_card_without_a_payout_account_is_409(service):
    response = book(signed_in(), service, pay_with="card")
    assert response.status_code == 409
    assert response.json()["code"] == "payouts_not_ready"


def test_booking_with_a_sponsor_is_201(service):
    pool = SponsorPoolFactory()
    response = book(signed_in(enrolled_client(pool)), service, pay_with="sponsor")
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "confirmed"


def test_a_taken_slot_is_409(service):
    assert book(signed_in(with_credits=10), service).status_code == 201
    response = book(signed_in(with_credits=10), service)
    assert response.status_code == 409
    assert response.json()["code"] == "slot_taken"


def test_a_time_not_offered_is_409_unavailable(service):
    response = book(signed_in(with_credits=10), service, start=slot(hour=7))
    assert response.status_code == 409
    assert response.json()["code"] == "slot_unavailable"


def test_too_few_credits_is_402_and_leaves_the_slot_free(service):
    response = book(signed_in(with_credits=1), service)
    assert response.status_code == 402
    assert response.json()["code"] == "insufficient_credits"
    assert not Booking.objects.filter(status__in=Booking.LIVE_STATUSES).exists()
    assert book(signed_in(with_credits=10), service).status_code == 201


def test_unknown_or_unbookable_services_are_404(service):
    api = signed_in(with_credits=10)
    response = api.post(
        URL, {"service": 999999, "start": slot().isoformat(), "pay_with": "credits"}, format="json"
    )
    assert response.status_code == 404
    inactive = bookable_service(is_active=False)
    assert book(api, inactive).status_code == 404


def test_signed_out_is_401(service):
    assert APIClient().get(URL).status_code == 401
    assert book(APIClient(), service).status_code == 401


def test_the_list_shows_only_the_callers_bookings(service):
    mine = signed_in(with_credits=10)
    theirs = signed_in(with_credits=10)
    book(mine, service)
    book(theirs, service, start=slot(hour=14))
    body = mine.get(URL).json()
    assert body["count"] == 1
    assert [row["start"][11:16] for row in body["results"]] == ["10:00"]


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"service": "abc", "start": "2030-01-07T10:00Z", "pay_with": "credits"},
        {"service": -1, "start": "2030-01-07T10:00Z", "pay_with": "credits"},
        {"service": 10**30, "start": "2030-01-07T10:00Z", "pay_with": "credits"},
        {"service": 1, "start": "tomorrow", "pay_with": "credits"},
        {"service": 1, "start": "2030-01-07T10:00", "pay_with": "credits"},  # no offset
        {"service": 1, "start": "2030-02-30T10:00Z", "pay_with": "credits"},
        {"service": 1, "start": "2030-01-07T10:00Z", "pay_with": "barter"},
        {"service": 1, "start": ["x"], "pay_with": "credits"},
        {"service": 1, "start": "x" * 10_000, "pay_with": "credits"},
    ],
)
def test_bad_input_is_400(service, payload):
    if payload.get("service") == 1:
        payload = {**payload, "service": service.pk}
    response = signed_in(with_credits=10).post(URL, payload, format="json")
    assert response.status_code == 400, response.json()
    assert "code" in response.json()


def test_a_body_that_is_not_json_is_400():
    response = signed_in().post(URL, b"{nope", content_type="application/json")
    assert response.status_code == 400


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    payload=st.dictionaries(
        st.sampled_from(["service", "start", "pay_with", "extra"]),
        st.one_of(
            st.none(),
            st.booleans(),
            st.integers(min_value=-(2**70), max_value=2**70),
            st.floats(allow_nan=True),
            st.text(max_size=40),
            st.datetimes().map(lambda moment: moment.isoformat()),
            st.lists(st.integers(), max_size=2),
        ),
    )
)
def test_no_input_gives_a_500(service, payload):
    # Encoded here, not by the test client, so NaN and Infinity reach the server too.
    body = json.dumps(payload)
    response = signed_in(with_credits=10).post(URL, body, content_type="application/json")
    assert response.status_code in (201, 400, 402, 404, 409), response.content


# ---------- cancel ----------


def cancel_url(booking_id) -> str:
    return f"{URL}{booking_id}/cancel/"


def test_a_client_cancels_their_booking(service):
    api = signed_in(with_credits=10)
    booking_id = book(api, service).json()["id"]
    response = api.post(cancel_url(booking_id), {"reason": "Ill"}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "cancelled"
    assert (body["refund_percent"], body["refund_amount"]) == (100, CREDIT_PRICE)
    assert credits_balance(user=api.user) == 10
    # Twice is harmless.
    assert api.post(cancel_url(booking_id)).status_code == 200


def test_another_clients_booking_is_404(service):
    booking_id = book(signed_in(with_credits=10), service).json()["id"]
    stranger = signed_in()
    assert stranger.post(cancel_url(booking_id)).status_code == 404
    assert stranger.post(cancel_url(booking_id + 1000)).status_code == 404
    assert stranger.post(cancel_url(10**25)).status_code == 404
    assert Booking.objects.get(pk=booking_id).status == "confirmed"
    # Someone else's practitioner is a stranger too.
    other_practitioner = bookable_service().practitioner.user
    assert signed_in(other_practitioner).post(cancel_url(booking_id)).status_code == 404


def test_the_practitioner_may_cancel_their_session_and_refunds_in_full(service):
    client_api = signed_in(with_credits=10)
    booking_id = book(client_api, service).json()["id"]
    response = signed_in(service.practitioner.user).post(cancel_url(booking_id))
    assert response.status_code == 200
    assert response.json()["refund_percent"] == 100
    assert credits_balance(user=client_api.user) == 10


def test_bad_cancel_input_is_400(service):
    api = signed_in(with_credits=10)
    booking_id = book(api, service).json()["id"]
    response = api.post(cancel_url(booking_id), {"reason": "x" * 501}, format="json")
    assert response.status_code == 400
    assert Booking.objects.get(pk=booking_id).status == "confirmed"
