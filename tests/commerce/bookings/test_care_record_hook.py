"""The first confirmed booking between a client and a practitioner opens their care
record, whichever way it was paid; later ones reuse it and move its retention clock;
a hold that is never paid opens nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from commerce.bookings.services import (
    booking_confirm_with_credits,
    booking_confirm_with_membership,
    booking_confirm_with_sponsor,
    booking_hold,
    booking_release_hold,
    booking_start_card_checkout,
)
from commerce.credits.models import CreditTransaction
from commerce.memberships.models import Membership, MembershipPlan
from integrations.stripe.local import StripeLocalGateway, simulator
from marketplace.clients.records.models import CareRecord
from privacy.models import AuditEntry
from tests.accounts.factories import UserFactory
from tests.commerce.bookings.booking_setup import (
    CREDIT_PRICE,
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
    return bookable_service(accepts_membership=True)


def _opened(client, service) -> CareRecord:
    return CareRecord.objects.get(client=client, practitioner=service.practitioner)


def test_credits_the_first_booking_opens_the_record_and_the_second_reuses_it(service):
    client = UserFactory()
    give_credits(user=client, amount=CREDIT_PRICE * 2)
    first = booking_confirm_with_credits(
        booking=booking_hold(client=client, service=service, starts_at=slot(3), pay_with="credits")
    )
    record = _opened(client, service)
    assert record.opened_by_booking_id == first.pk
    assert record.last_contact_at == first.ends_at

    second = booking_confirm_with_credits(
        booking=booking_hold(client=client, service=service, starts_at=slot(5), pay_with="credits")
    )
    booking_confirm_with_credits(booking=second)  # a retry changes nothing

    assert CareRecord.objects.count() == 1
    record.refresh_from_db()
    assert record.opened_by_booking_id == first.pk
    assert record.last_contact_at == second.ends_at
    opened = AuditEntry.objects.filter(action="create", object_type="care_record")
    assert [(e.object_id, e.subject_user_id) for e in opened] == [(str(record.pk), client.pk)]


def test_membership_and_sponsor_bookings_open_the_record(service):
    member = UserFactory()
    plan = MembershipPlan.objects.create(
        slug="plan", name="Member", price=1500, monthly_credit_allowance=8
    )
    Membership.objects.create(user=member, plan=plan, status=Membership.Status.ACTIVE)
    give_credits(
        user=member,
        amount=CREDIT_PRICE,
        kind=CreditTransaction.Kind.ALLOWANCE,
        expires_at=timezone.now() + dt.timedelta(days=30),
    )
    booking_confirm_with_membership(
        booking=booking_hold(
            client=member, service=service, starts_at=slot(), pay_with="membership"
        )
    )
    sponsored = enrolled_client(SponsorPoolFactory())
    booking_confirm_with_sponsor(
        booking=booking_hold(
            client=sponsored, service=service, starts_at=slot(hour=13), pay_with="sponsor"
        )
    )

    assert _opened(member, service) and _opened(sponsored, service)


def test_a_card_payment_confirmed_by_stripe_opens_the_record(
    service, django_capture_on_commit_callbacks
):
    onboard_payouts(service.practitioner.user, django_capture_on_commit_callbacks)
    client = UserFactory()
    booking = booking_hold(client=client, service=service, starts_at=slot(), pay_with="card")
    payment = booking_start_card_checkout(
        booking=booking, success_url="http://testserver/ok", cancel_url="http://testserver/no"
    )
    assert not CareRecord.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        simulator.checkout_pay(payment.checkout_session_id)

    assert _opened(client, service).opened_by_booking_id == booking.pk


def test_a_hold_that_is_released_opens_nothing(service):
    client = UserFactory()
    booking = booking_hold(client=client, service=service, starts_at=slot(), pay_with="card")
    booking_release_hold(booking=booking)

    assert not CareRecord.objects.exists()
