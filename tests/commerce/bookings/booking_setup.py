"""Shared setup for the booking lifecycle tests: a practitioner open 09:00–17:00 UTC
every day, a service that takes card, credits and sponsor pools, and slot times
relative to the real clock (live-server tests cannot travel in time)."""

import datetime as dt

from django.utils import timezone

from commerce.bookings.models import AvailabilityRule
from commerce.payments.models import ConnectedAccount
from commerce.payments.services import connected_account_start_onboarding
from integrations.stripe.local import simulator
from tests.marketplace.practitioners.factories import PractitionerProfileFactory, ServiceFactory

PRICE = 6000
CREDIT_PRICE = 4


def open_every_day(practitioner) -> None:
    for weekday in range(7):
        AvailabilityRule.objects.create(
            practitioner=practitioner, weekday=weekday, start_time=dt.time(9), end_time=dt.time(17)
        )


def bookable_service(**overrides):
    """A 60-minute session, 15 minutes' buffer after, no notice; 100% back more than
    24 h before, 50% more than 2 h before, nothing later."""
    practitioner = PractitionerProfileFactory(time_zone="UTC")
    open_every_day(practitioner)
    fields = {
        "practitioner": practitioner,
        "price": PRICE,
        "currency": "GBP",
        "accepts_card": True,
        "accepts_credits": True,
        "credit_price": CREDIT_PRICE,
        "accepts_sponsor": True,
        "buffer_after_minutes": 15,
    }
    fields.update(overrides)
    return ServiceFactory(**fields)


def slot(days: int = 3, hour: int = 10) -> dt.datetime:
    """`hour`:00 UTC, `days` days from today (real clock)."""
    today = timezone.now().astimezone(dt.UTC).date()
    return dt.datetime.combine(today + dt.timedelta(days=days), dt.time(hour), tzinfo=dt.UTC)


def onboard_payouts(user, capture) -> ConnectedAccount:
    """A connected account that can take destination charges, through the offline
    Stripe's own onboarding."""
    with capture(execute=True):
        connected_account_start_onboarding(
            user=user, refresh_url="http://testserver/r", return_url="http://testserver/ok"
        )
    account = ConnectedAccount.objects.get(owner=user)
    with capture(execute=True):
        simulator.complete_onboarding(
            account.stripe_id,
            business_name="Practice",
            holder_name="Pat Practitioner",
            routing_number="110000",
            account_number="000123456789",
        )
    account.refresh_from_db()
    return account
