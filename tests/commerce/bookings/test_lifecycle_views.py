"""Pages for moving a booking (client and practitioner), reporting a no-show, paying with
the membership allowance and the member card price on the booking page."""

import re
from datetime import timedelta
from html import unescape
from urllib.parse import urlencode

import pytest
import time_machine
from django.core import mail

from commerce.bookings.models import Booking
from commerce.bookings.services import booking_confirm_with_credits, booking_hold
from commerce.credits.models import CreditTransaction
from commerce.memberships.models import Membership, MembershipPlan
from integrations.stripe.local import StripeLocalGateway
from tests.accounts.factories import UserFactory
from tests.commerce.bookings.booking_setup import (
    CREDIT_PRICE,
    PRICE,
    bookable_service,
    onboard_payouts,
    open_every_day,
    slot,
)
from tests.commerce.bookings.test_dashboard_views import practitioner_with_mfa
from tests.commerce.credits.factories import give_credits

pytestmark = pytest.mark.django_db

Status = Booking.Status
TIERS = [{"hours_before": 24, "refund_percent": 100}, {"hours_before": 2, "refund_percent": 50}]


@pytest.fixture(autouse=True)
def _offline_stripe():
    StripeLocalGateway.reset()
    yield
    StripeLocalGateway.reset()


@pytest.fixture
def service():
    return bookable_service(accepts_membership=True, cancellation_tiers=TIERS)


def text(response) -> str:
    return unescape(re.sub(r"\s+", " ", response.content.decode()))


def confirmed(service, user=None, *, start=None) -> Booking:
    user = user or UserFactory(time_zone="UTC")
    give_credits(user=user, amount=CREDIT_PRICE)
    booking = booking_hold(
        client=user, service=service, starts_at=start or slot(), pay_with="credits"
    )
    return booking_confirm_with_credits(booking=booking)


def move_url(booking) -> str:
    return f"/account/bookings/{booking.pk}/move/"


# ---------- the client moves a booking ----------


def test_the_bookings_page_offers_move_while_a_full_refund_applies(client, service):
    booking = confirmed(service)
    late = confirmed(service, booking.client, start=slot(days=1, hour=9))
    client.force_login(booking.client)
    with time_machine.travel(late.starts_at - timedelta(hours=20), tick=False):
        html = client.get("/account/bookings/").content.decode()
    assert move_url(booking) in html
    assert move_url(late) not in html


def test_the_move_page_lists_free_times_and_moves_the_booking(
    client, service, django_capture_on_commit_callbacks
):
    booking = confirmed(service)
    confirmed(service, start=slot(hour=12))  # someone else's: not offered
    client.force_login(booking.client)

    page = client.get(move_url(booking))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="{}"'.format(slot(hour=14).strftime("%Y-%m-%dT%H:%M:%SZ")) in html
    assert 'value="{}"'.format(slot(hour=12).strftime("%Y-%m-%dT%H:%M:%SZ")) not in html
    assert 'value="{}"'.format(slot().strftime("%Y-%m-%dT%H:%M:%SZ")) not in html

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            move_url(booking), {"start": slot(hour=14).strftime("%Y-%m-%dT%H:%M:%SZ")}
        )
    assert response.status_code == 302
    assert response["Location"] == "/account/bookings/"
    booking.refresh_from_db()
    assert booking.starts_at == slot(hour=14)
    assert len(mail.outbox) == 2
    assert "Moved from" in text(client.get("/account/bookings/"))


def test_a_time_taken_meanwhile_shows_fresh_times_with_409(client, service):
    booking = confirmed(service)
    client.force_login(booking.client)
    confirmed(service, start=slot(hour=14))
    response = client.post(move_url(booking), {"start": slot(hour=14).isoformat()})
    assert response.status_code == 409
    assert "is no longer free" in text(response)
    booking.refresh_from_db()
    assert booking.starts_at == slot()


@pytest.mark.parametrize("start", ["", "nonsense", "2030-01-07T09:00:00", "x" * 200])
def test_a_bad_time_is_400(client, service, start):
    booking = confirmed(service)
    client.force_login(booking.client)
    assert client.post(move_url(booking), {"start": start}).status_code == 400


def test_past_the_full_refund_the_page_sends_the_client_back(client, service):
    booking = confirmed(service)
    client.force_login(booking.client)
    with time_machine.travel(booking.starts_at - timedelta(hours=5), tick=False):
        response = client.get(move_url(booking))
    assert response.status_code == 302
    assert response["Location"] == "/account/bookings/"


def test_someone_elses_booking_is_404(client, service):
    booking = confirmed(service)
    client.force_login(UserFactory())
    assert client.get(move_url(booking)).status_code == 404
    assert client.post(move_url(booking), {"start": slot(hour=14).isoformat()}).status_code == 404


# ---------- the practitioner ----------


@pytest.fixture
def practice(client):
    practitioner = practitioner_with_mfa(time_zone="UTC")
    open_every_day(practitioner)
    service = bookable_service(practitioner=practitioner, cancellation_tiers=TIERS)
    client.force_login(practitioner.user)
    return service


def test_the_practitioner_moves_a_booking_even_late(
    client, practice, django_capture_on_commit_callbacks
):
    booking = confirmed(practice, start=slot(days=1, hour=9))
    url = f"/dashboard/practice/bookings/{booking.pk}/move/"
    target = slot(days=2, hour=11)  # slot() reads the clock: fix it before travelling
    with time_machine.travel(booking.starts_at - timedelta(hours=3), tick=False):
        # Practitioners' sessions end after 30 idle minutes: sign in again there.
        client.force_login(practice.practitioner.user)
        detail = client.get(f"/dashboard/practice/bookings/{booking.pk}/")
        assert url in detail.content.decode()
        assert client.get(url).status_code == 200
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, {"start": target.isoformat()})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.starts_at == target
    assert {message.to[0] for message in mail.outbox} == {
        booking.client.email,
        practice.practitioner.user.email,
    }


def test_another_practitioners_booking_cannot_be_moved_or_marked(client, practice):
    other = confirmed(bookable_service())
    assert client.get(f"/dashboard/practice/bookings/{other.pk}/move/").status_code == 404
    assert client.post(f"/dashboard/practice/bookings/{other.pk}/no-show/").status_code == 404


def test_no_show_is_offered_after_the_start_and_recorded(
    client, practice, django_capture_on_commit_callbacks
):
    booking = confirmed(practice)
    detail_url = f"/dashboard/practice/bookings/{booking.pk}/"
    no_show_url = f"/dashboard/practice/bookings/{booking.pk}/no-show/"
    assert no_show_url not in client.get(detail_url).content.decode()
    # Before the start the action is refused and nothing changes.
    client.post(no_show_url)
    booking.refresh_from_db()
    assert booking.status == Status.CONFIRMED

    with time_machine.travel(booking.starts_at + timedelta(minutes=20), tick=False):
        client.force_login(practice.practitioner.user)
        page = client.get(detail_url)
        assert no_show_url in page.content.decode()
        assert "Under your policy nothing is refunded" in text(page)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(no_show_url)
        assert response.status_code == 302
        after = text(client.get(detail_url))
    booking.refresh_from_db()
    assert booking.status == Status.NO_SHOW
    assert "Recorded as a no-show" in after
    assert [message.to for message in mail.outbox] == [[booking.client.email]]


# ---------- membership and member price on the booking page ----------


def member(*, allowance: int, discount: int = 0):
    user = UserFactory(time_zone="UTC")
    plan = MembershipPlan.objects.create(
        slug=f"p{user.pk}", name="Member", price=1500, member_discount_percent=discount
    )
    Membership.objects.create(user=user, plan=plan)
    if allowance:
        give_credits(
            user=user,
            amount=allowance,
            kind=CreditTransaction.Kind.ALLOWANCE,
            expires_at=slot(days=30),
        )
    return user


def book_url(service, start) -> str:
    query = urlencode({"service": service.pk, "start": start.isoformat()})
    return f"/practitioners/{service.practitioner.slug}/book/?{query}"


def test_members_see_and_use_the_membership_allowance(client, service):
    user = member(allowance=CREDIT_PRICE)
    client.force_login(user)
    page = text(client.get(book_url(service, slot())))
    assert "Membership allowance" in page
    assert f"You have {CREDIT_PRICE} allowance credits left this period." in page

    response = client.post(book_url(service, slot()), {"pay_with": "membership"})
    assert response.status_code == 302
    booking = Booking.objects.get(client=user)
    assert (booking.status, booking.pay_with) == (Status.CONFIRMED, "membership")
    assert "Membership allowance, 4 credits" in text(client.get(response["Location"]))


def test_a_spent_allowance_is_shown_unavailable_and_refused_with_402(client, service):
    user = member(allowance=1)
    client.force_login(user)
    html = client.get(book_url(service, slot())).content.decode()
    assert re.search(r'id="pay-with-membership"[^>]*disabled', html, re.S)
    response = client.post(book_url(service, slot()), {"pay_with": "membership"})
    assert response.status_code == 402
    assert "Your membership allowance for this period is used up" in text(response)
    assert Booking.objects.get(client=user).status == Status.EXPIRED


def test_non_members_are_not_offered_the_membership_allowance(client, service):
    client.force_login(UserFactory())
    assert "Membership allowance" not in text(client.get(book_url(service, slot())))


def test_members_see_their_member_card_price(client, django_capture_on_commit_callbacks):
    service = bookable_service(member_price=PRICE - 1500)
    onboard_payouts(service.practitioner.user, django_capture_on_commit_callbacks)
    client.force_login(member(allowance=0))
    page = text(client.get(book_url(service, slot())))
    assert "£45.00" in page and "usually £60.00" in page
    client.force_login(UserFactory())
    page = text(client.get(book_url(service, slot())))
    assert "£60.00" in page and "usually" not in page
