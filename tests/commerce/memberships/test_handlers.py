"""Stripe Billing events drive memberships: built from Stripe's own subscription and
invoice objects, delivered signed, in and out of order."""

import time

import pytest
from django.core import mail

from commerce.credits.models import CreditTransaction
from commerce.credits.selectors import credits_available
from commerce.memberships.models import Membership, MembershipPlan
from commerce.memberships.selectors import access_level_for
from tests.accounts.factories import UserFactory
from tests.commerce.payments import events
from tests.vendor import stripe_event, stripe_object

pytestmark = pytest.mark.django_db

SUBSCRIPTION_ID = "sub_test_member_1"


def _metadata(user, plan="member"):
    return {"aeyia_user_id": str(user.pk), "aeyia_plan": plan}


def _subscription(user, *, status="active", period_end=None, cancel=False, plan="member"):
    subscription = stripe_object(
        "subscription",
        id=SUBSCRIPTION_ID,
        status=status,
        cancel_at_period_end=cancel,
        metadata=_metadata(user, plan),
    )
    subscription["items"]["data"][0]["current_period_end"] = period_end or int(
        time.time() + 30 * 86400
    )
    return subscription


def _invoice(user, *, invoice_id="in_test_1", period_end=None):
    invoice = stripe_object(
        "invoice", id=invoice_id, status="paid", billing_reason="subscription_cycle"
    )
    invoice["parent"] = {
        "type": "subscription_details",
        "quote_details": None,
        "subscription_details": {"subscription": SUBSCRIPTION_ID, "metadata": _metadata(user)},
    }
    end = period_end or int(time.time() + 30 * 86400)
    invoice["period_end"] = end
    invoice["lines"]["data"][0]["period"] = {"start": end - 30 * 86400, "end": end}
    return invoice


@pytest.fixture
def deliver(client, django_capture_on_commit_callbacks):
    def send(event):
        with django_capture_on_commit_callbacks(execute=True):
            response = events.deliver(client, event)
        assert response.status_code == 200
        return response

    return send


def test_a_subscription_event_makes_the_person_a_member(deliver):
    user = UserFactory()
    deliver(stripe_event("customer.subscription.created", _subscription(user), event_id="evt_s1"))

    membership = Membership.objects.get(user=user)
    assert membership.plan.slug == "member"
    assert membership.status == Membership.Status.ACTIVE
    assert membership.current_period_end is not None
    assert access_level_for(user=user) == MembershipPlan.objects.get(slug="member").access_level


def test_each_paid_invoice_grants_the_allowance_once_expiring_at_the_period_end(deliver):
    user = UserFactory()
    end = int(time.time() + 20 * 86400)
    paid = stripe_event("invoice.paid", _invoice(user, period_end=end), event_id="evt_i1")
    deliver(paid)
    deliver(paid)
    # The same invoice in a second event (Stripe can send invoice.paid again) grants nothing.
    deliver(stripe_event("invoice.paid", _invoice(user, period_end=end), event_id="evt_i1b"))

    grants = CreditTransaction.objects.filter(kind=CreditTransaction.Kind.ALLOWANCE)
    assert grants.count() == 1
    assert credits_available(user=user) == 2
    lot = user.credit_accounts.get().lots.get()
    assert int(lot.expires_at.timestamp()) == end

    deliver(stripe_event("invoice.paid", _invoice(user, invoice_id="in_test_2"), event_id="evt_i2"))
    assert credits_available(user=user) == 4


def test_a_failed_renewal_starts_the_grace_period_and_emails_once(deliver):
    user = UserFactory()
    deliver(stripe_event("customer.subscription.created", _subscription(user), event_id="evt_s1"))
    failed = _invoice(user, invoice_id="in_failed")
    failed["status"] = "open"
    deliver(stripe_event("invoice.payment_failed", failed, event_id="evt_f1"))
    deliver(stripe_event("invoice.payment_failed", failed, event_id="evt_f2"))

    membership = Membership.objects.get(user=user)
    assert membership.status == Membership.Status.GRACE
    assert membership.grace_until is not None
    assert access_level_for(user=user) == membership.plan.access_level  # benefits continue
    notices = [m for m in mail.outbox if "did not go through" in m.subject]
    assert len(notices) == 1
    assert notices[0].to == [user.email]


def test_an_older_snapshot_delivered_late_cannot_undo_a_newer_one(deliver):
    user = UserFactory()
    now = int(time.time())
    deliver(
        stripe_event(
            "customer.subscription.updated",
            _subscription(user, cancel=True),
            event_id="evt_new",
            created=now,
        )
    )
    deliver(
        stripe_event(
            "customer.subscription.updated",
            _subscription(user, cancel=False),
            event_id="evt_old",
            created=now - 60,
        )
    )
    assert Membership.objects.get(user=user).cancel_at_period_end is True


def test_deletion_ends_the_membership_and_the_person_is_back_on_free(deliver):
    user = UserFactory()
    deliver(stripe_event("customer.subscription.created", _subscription(user), event_id="evt_s1"))
    deliver(
        stripe_event(
            "customer.subscription.deleted",
            _subscription(user, status="canceled"),
            event_id="evt_d1",
            created=int(time.time()) + 5,
        )
    )
    membership = Membership.objects.get(user=user)
    assert membership.status == Membership.Status.ENDED
    assert access_level_for(user=user) == MembershipPlan.objects.get(slug="free").access_level
    assert any("has ended" in m.subject for m in mail.outbox)


def test_events_for_unknown_people_or_plans_are_processed_without_effect(deliver):
    subscription = stripe_object("subscription", id="sub_stranger", metadata={})
    deliver(stripe_event("customer.subscription.updated", subscription, event_id="evt_x"))
    assert not Membership.objects.exists()
