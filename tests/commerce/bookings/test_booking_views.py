"""The client's booking pages: book from the profile and pay by credits, sponsor or card
(through the offline Stripe and back), a taken time, too few credits, bad addresses,
/account/bookings/ with cancellation under the policy, and 404 for other people's
bookings."""

import re
from datetime import timedelta
from html import unescape
from urllib.parse import urlencode

import pytest
import time_machine

from commerce.bookings.models import Booking
from commerce.bookings.services import booking_confirm_with_credits, booking_hold
from commerce.credits.selectors import credits_available
from integrations.stripe.local import StripeLocalGateway
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


@pytest.fixture(autouse=True)
def _offline_stripe():
    StripeLocalGateway.reset()
    yield
    StripeLocalGateway.reset()


@pytest.fixture
def service():
    return bookable_service()


def book_url(service, start=None, **extra) -> str:
    query = {"service": service.pk}
    if start is not None:
        query["start"] = start if isinstance(start, str) else start.isoformat()
    query.update(extra)
    return f"/practitioners/{service.practitioner.slug}/book/?{urlencode(query)}"


def signed_in(client, user=None, *, with_credits=0):
    user = user or UserFactory(time_zone="Europe/London")
    if with_credits:
        give_credits(user=user, amount=with_credits)
    client.force_login(user)
    return user


def text(response) -> str:
    return unescape(re.sub(r"\s+", " ", response.content.decode()))


def profile_url(service) -> str:
    return f"/practitioners/{service.practitioner.slug}/"


# ---------- the profile leads here ----------


def test_the_profile_links_each_time_and_service_to_the_booking_page(client, service):
    signed_in(client, with_credits=10)
    html = client.get(profile_url(service)).content.decode()
    links = re.findall(r'href="(/practitioners/[^"]+/book/\?[^"]+)"', html)
    assert f"/practitioners/{service.practitioner.slug}/book/?service={service.pk}" in links
    timed = [unescape(link) for link in links if "start=" in link]
    assert timed, "each next free time links to the booking page"
    response = client.get(timed[0])
    assert response.status_code == 200
    assert "How would you like to pay?" in text(response)


def test_a_service_without_a_time_offers_its_next_free_times(client, service):
    signed_in(client)
    response = client.get(book_url(service))
    assert response.status_code == 200
    body = text(response)
    assert f"Choose a time for {service.name}" in body
    assert "Times in Europe/London" in body
    assert f"service={service.pk}&amp;start=" in response.content.decode()


def test_signing_in_is_required(client, service):
    response = client.get(book_url(service, slot()))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# ---------- paying ----------


def test_booking_with_credits_confirms_and_shows_the_confirmation(client, service):
    user = signed_in(client, with_credits=10)
    page = client.get(book_url(service, slot()))
    assert page.status_code == 200
    body = text(page)
    # 10:00 UTC is 10:00 or 11:00 in London; the page says which zone.
    assert "Europe/London" in body
    assert "You have 10 credits available." in body
    assert "£60.00" in body
    assert "Sponsored session" not in body  # not enrolled in any pool

    response = client.post(book_url(service, slot()), {"pay_with": "credits"})
    booking = Booking.objects.get(client=user)
    assert response.status_code == 302
    assert response["Location"] == f"/bookings/{booking.pk}/"
    assert booking.status == Booking.Status.CONFIRMED
    assert credits_available(user=user) == 10 - CREDIT_PRICE

    confirmation = client.get(response["Location"])
    assert confirmation.status_code == 200
    assert "You are booked" in text(confirmation)
    assert f"{CREDIT_PRICE} credits" in text(confirmation)


def test_booking_with_a_sponsor(client, service):
    pool = SponsorPoolFactory()
    user = signed_in(client, enrolled_client(pool))
    page = text(client.get(book_url(service, slot())))
    assert "Sponsored session" in page
    assert f"Paid by {pool.partner.name}" in page

    response = client.post(book_url(service, slot()), {"pay_with": "sponsor"}, follow=True)
    booking = Booking.objects.get(client=user)
    assert booking.status == Booking.Status.CONFIRMED
    assert booking.pool_draw_id
    assert "You are booked" in text(response)


def test_card_is_offered_only_when_the_practitioner_can_take_it(
    client, service, django_capture_on_commit_callbacks
):
    signed_in(client, with_credits=10)
    assert 'value="card"' not in client.get(book_url(service, slot())).content.decode()
    onboard_payouts(service.practitioner.user, django_capture_on_commit_callbacks)
    assert 'value="card"' in client.get(book_url(service, slot())).content.decode()


def _checkout(client, service, django_capture_on_commit_callbacks):
    onboard_payouts(service.practitioner.user, django_capture_on_commit_callbacks)
    user = signed_in(client)
    response = client.post(book_url(service, slot()), {"pay_with": "card"})
    assert response.status_code == 303
    booking = Booking.objects.get(client=user)
    assert booking.status == Booking.Status.HELD
    assert response["Location"] == booking.payment.checkout_url
    return user, booking, response["Location"]


def test_paying_by_card_through_the_offline_checkout(
    client, service, django_capture_on_commit_callbacks
):
    user, booking, checkout_url = _checkout(client, service, django_capture_on_commit_callbacks)
    checkout = client.get(checkout_url)
    assert checkout.status_code == 200
    assert "£60.00" in text(checkout)

    with django_capture_on_commit_callbacks(execute=True):
        paid = client.post(checkout_url, {"action": "pay"})
    assert paid.status_code == 302
    session_id = booking.payment.checkout_session_id
    assert paid["Location"].endswith(f"/bookings/{booking.pk}/paid/?session_id={session_id}")

    with django_capture_on_commit_callbacks(execute=True):
        back = client.get(paid["Location"])
    assert back.status_code == 302
    assert back["Location"] == f"/bookings/{booking.pk}/"
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    confirmation = text(client.get(back["Location"]))
    assert "You are booked" in confirmation
    assert "£60.00" in confirmation
    assert booking.payment.amount == PRICE
    listed = text(client.get("/account/bookings/"))
    assert service.name in listed and "Confirmed" in listed
    assert user == booking.client


def test_the_return_page_confirms_before_any_webhook_arrives(
    client, service, django_capture_on_commit_callbacks
):
    _user, booking, checkout_url = _checkout(client, service, django_capture_on_commit_callbacks)
    # Outside a capture the on-commit webhook processing never runs: only the return
    # page can confirm the booking.
    paid = client.post(checkout_url, {"action": "pay"})
    booking.refresh_from_db()
    assert booking.status == Booking.Status.HELD

    response = client.get(paid["Location"], follow=True)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert "You are booked" in text(response)


def test_a_return_without_a_paid_session_shows_the_payment_pending(
    client, service, django_capture_on_commit_callbacks
):
    _user, booking, _checkout_url = _checkout(client, service, django_capture_on_commit_callbacks)
    for query in ("", "?session_id=cs_nope", f"?session_id={booking.payment.checkout_session_id}"):
        response = client.get(f"/bookings/{booking.pk}/paid/{query}", follow=True)
        assert response.status_code == 200
        assert "Your payment is being confirmed" in text(response)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.HELD


def test_leaving_the_checkout_frees_the_time_at_once(
    client, service, django_capture_on_commit_callbacks
):
    _user, booking, checkout_url = _checkout(client, service, django_capture_on_commit_callbacks)
    back = client.post(checkout_url, {"action": "cancel"})
    response = client.get(back["Location"])
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.EXPIRED
    again = client.get(response["Location"])
    assert again.status_code == 200
    assert "You have not been charged" in text(again)


# ---------- when it cannot be booked ----------


def test_a_taken_time_goes_back_to_the_profile_with_fresh_times(client, service):
    someone = UserFactory()
    give_credits(user=someone, amount=10)
    taken = booking_hold(client=someone, service=service, starts_at=slot(), pay_with="credits")
    booking_confirm_with_credits(booking=taken)

    signed_in(client, with_credits=10)
    for response in (
        client.get(book_url(service, slot())),
        client.post(book_url(service, slot()), {"pay_with": "credits"}),
    ):
        assert response.status_code == 303
        assert response["Location"] == profile_url(service)
    profile = client.get(profile_url(service))
    body = text(profile)
    assert "is no longer free" in body
    assert "Here are the latest free times" in body
    assert body.count('class="open-times__item"') == 6
    assert Booking.objects.filter(status=Booking.Status.CONFIRMED).count() == 1


def test_the_time_taken_between_the_page_and_the_payment(client, service):
    signed_in(client, with_credits=10)
    assert client.get(book_url(service, slot())).status_code == 200
    someone = UserFactory()
    give_credits(user=someone, amount=10)
    booking_confirm_with_credits(
        booking=booking_hold(client=someone, service=service, starts_at=slot(), pay_with="credits")
    )
    response = client.post(book_url(service, slot()), {"pay_with": "credits"}, follow=True)
    assert response.redirect_chain == [(profile_url(service), 303)]
    assert "is no longer free" in text(response)


def test_too_few_credits_says_so_and_leaves_the_time_free(client, service):
    user = signed_in(client, with_credits=1)
    page = text(client.get(book_url(service, slot())))
    assert "You have 1 credit available: not enough for this session." in page

    response = client.post(book_url(service, slot()), {"pay_with": "credits"})
    assert response.status_code == 402
    assert "You do not have enough credits for this session" in text(response)
    assert credits_available(user=user) == 1
    assert not Booking.objects.filter(status__in=Booking.LIVE_STATUSES).exists()
    # The way to pay that failed is not left chosen.
    assert not re.search(r'<input[^>]*value="credits"[^>]*checked', response.content.decode())


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({}, "Choose a service"),
        ({"service": "abc"}, "service number is not valid"),
        ({"service": "9" * 40}, "service number is not valid"),
        ({"service": "999999"}, "does not offer that service"),
        ({"start": "tomorrow"}, "start time is not valid"),
        ({"start": "2030-13-45T10:00:00Z"}, "start time is not valid"),
        ({"start": "2030-01-07T10:00:00"}, "needs a time zone offset"),
        ({"start": "2" * 200}, "start time is not valid"),
    ],
)
def test_bad_parameters_are_a_400_page(client, service, query, message):
    signed_in(client)
    # A start is tried with the right service; an empty query has neither.
    params = {"service": service.pk, **query} if "start" in query else query
    url = f"/practitioners/{service.practitioner.slug}/book/?{urlencode(params)}"
    for response in (client.get(url), client.post(url, {"pay_with": "credits"})):
        assert response.status_code == 400, url
        assert "We could not open this booking" in text(response)
        assert message in text(response)


def test_another_practitioners_service_is_a_400(client, service):
    other = bookable_service()
    signed_in(client)
    url = f"/practitioners/{service.practitioner.slug}/book/?service={other.pk}"
    assert client.get(url).status_code == 400


def test_an_unknown_practitioner_is_404(client, service):
    signed_in(client)
    assert client.get(f"/practitioners/nobody/book/?service={service.pk}").status_code == 404


def test_a_missing_or_unknown_payment_choice_is_a_400(client, service):
    signed_in(client, with_credits=10)
    for data in ({}, {"pay_with": "bitcoin"}, {"pay_with": "card"}):
        response = client.post(book_url(service, slot()), data)
        assert response.status_code == 400
        assert "Choose how you would like to pay" in text(response)
    assert not Booking.objects.exists()


def test_a_time_given_unencoded_still_reads(client, service):
    signed_in(client, with_credits=10)
    start = slot().isoformat()  # "+00:00" arrives as " 00:00" when not encoded
    url = f"/practitioners/{service.practitioner.slug}/book/?service={service.pk}&start={start}"
    assert client.get(url).status_code == 200


def test_practitioners_cannot_book_themselves(client, service):
    signed_in(client, service.practitioner.user)
    response = client.get(book_url(service, slot()))
    assert response.status_code == 400
    assert "You cannot book your own service" in text(response)


# ---------- the client's bookings and cancelling ----------


def _credit_booking(client, service, *, days=3):
    user = signed_in(client, with_credits=10)
    client.post(book_url(service, slot(days=days)), {"pay_with": "credits"})
    return user, Booking.objects.get(client=user, starts_at=slot(days=days))


def test_the_bookings_page_lists_upcoming_and_past(client, service):
    user, booking = _credit_booking(client, service)
    past = Booking.objects.create(
        client=user,
        service=service,
        practitioner=service.practitioner,
        starts_at=slot(days=-3),
        ends_at=slot(days=-3) + timedelta(hours=1),
        blocked_start=slot(days=-3),
        blocked_end=slot(days=-3) + timedelta(hours=1),
        status=Booking.Status.COMPLETED,
        pay_with="credits",
    )
    response = client.get("/account/bookings/")
    assert response.status_code == 200
    html = response.content.decode()
    upcoming, _, rest = html.partition('id="past-title"')
    assert f"/account/bookings/{booking.pk}/cancel/" in upcoming
    assert f"/bookings/{past.pk}/" in rest
    assert f"/account/bookings/{past.pk}/cancel/" not in html
    assert "Completed" in rest
    assert 'href="/account/bookings/" aria-current="page">Bookings</a>' in html


def test_cancelling_early_gives_every_credit_back(client, service):
    user, booking = _credit_booking(client, service)
    page = client.get(f"/account/bookings/{booking.pk}/cancel/")
    assert page.status_code == 200
    assert f"You will get back {CREDIT_PRICE} credits (100%)." in text(page)

    response = client.post(f"/account/bookings/{booking.pk}/cancel/", {"expected_percent": "100"})
    assert response.status_code == 302
    assert response["Location"] == "/account/bookings/"
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert booking.refund_amount == CREDIT_PRICE
    assert credits_available(user=user) == 10
    listed = text(client.get("/account/bookings/"))
    assert "is cancelled" in listed and "Cancelled" in listed


def test_a_card_booking_cancelled_within_a_day_gets_half_back_to_the_card(
    client, service, django_capture_on_commit_callbacks
):
    _user, booking, checkout_url = _checkout(client, service, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(client.post(checkout_url, {"action": "pay"})["Location"])
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED

    with time_machine.travel(booking.starts_at - timedelta(hours=10), tick=False):
        page = client.get(f"/account/bookings/{booking.pk}/cancel/")
        assert "You will get back £30.00 (50%) to your card." in text(page)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"/account/bookings/{booking.pk}/cancel/", {"expected_percent": "50"})
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert booking.refund_percent == 50
    assert booking.refund_amount == PRICE // 2


def test_a_late_cancellation_says_nothing_comes_back(client, service):
    _user, booking = _credit_booking(client, service)
    with time_machine.travel(booking.starts_at - timedelta(hours=1), tick=False):
        page = client.get(f"/account/bookings/{booking.pk}/cancel/")
    assert "You will get back nothing" in text(page)


def test_a_refund_that_changed_since_the_page_is_shown_again(client, service):
    _user, booking = _credit_booking(client, service)
    response = client.post(f"/account/bookings/{booking.pk}/cancel/", {"expected_percent": "50"})
    assert response.status_code == 409
    assert "The refund has changed" in text(response)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_other_peoples_bookings_are_404(client, service, django_capture_on_commit_callbacks):
    _owner, booking = _credit_booking(client, service)
    signed_in(client)
    for url in (
        f"/bookings/{booking.pk}/",
        f"/bookings/{booking.pk}/paid/?session_id=cs_x",
        f"/bookings/{booking.pk}/checkout-cancelled/",
        f"/account/bookings/{booking.pk}/cancel/",
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(f"/account/bookings/{booking.pk}/cancel/", {"expected_percent": "100"})
    assert response.status_code == 404
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert service.name not in text(client.get("/account/bookings/"))
    assert client.get("/bookings/999999/").status_code == 404


def test_a_booking_that_is_over_cannot_be_cancelled(client, service):
    _user, booking = _credit_booking(client, service)
    with time_machine.travel(booking.starts_at + timedelta(minutes=5), tick=False):
        response = client.get(f"/account/bookings/{booking.pk}/cancel/", follow=True)
    assert "can no longer be cancelled" in text(response)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
