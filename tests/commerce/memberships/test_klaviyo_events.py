"""A membership becoming active sends "Membership Started" to Klaviyo once per
subscription, with plan details only."""

from datetime import UTC, datetime

import pytest

from commerce.memberships.models import MembershipPlan
from commerce.memberships.services import membership_apply_subscription
from integrations.klaviyo import get_klaviyo
from integrations.klaviyo.local import LocalKlaviyo
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def local_klaviyo(settings):
    settings.KLAVIYO_GATEWAY = "integrations.klaviyo.local.LocalKlaviyo"
    get_klaviyo.cache_clear()
    LocalKlaviyo.reset()
    yield LocalKlaviyo
    LocalKlaviyo.reset()
    get_klaviyo.cache_clear()


def _apply(user, *, status="active", observed_second=0):
    return membership_apply_subscription(
        subscription_id="sub_klaviyo_1",
        stripe_status=status,
        metadata={"aeyia_user_id": str(user.pk), "aeyia_plan": "member-k"},
        cancel_at_period_end=False,
        current_period_end=None,
        observed_at=datetime(2026, 11, 25, 10, 0, observed_second, tzinfo=UTC),
    )


def test_membership_started_is_sent_once(django_capture_on_commit_callbacks):
    MembershipPlan.objects.create(slug="member-k", name="Member", price=1500, currency="gbp")
    user = UserFactory(email="ada@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        _apply(user)
        _apply(user, observed_second=1)

    (body,) = LocalKlaviyo.requests_for("event_create")
    attributes = body["data"]["attributes"]
    assert attributes["metric"]["data"]["attributes"]["name"] == "Membership Started"
    assert attributes["profile"]["data"]["attributes"]["email"] == "ada@example.org"
    assert attributes["properties"] == {
        "plan": "member-k",
        "plan_name": "Member",
        "billing_interval": "month",
        "currency": "gbp",
        "amount_minor": 1500,
    }


def test_membership_started_is_sent_when_the_paid_invoice_arrives_first(
    django_capture_on_commit_callbacks,
):
    """Stripe does not promise an order: when invoice.paid makes the person a member
    before any subscription or Checkout event, that is when the membership started."""
    from commerce.memberships.services import membership_record_invoice_paid

    MembershipPlan.objects.create(slug="member-k", name="Member", price=1500, currency="gbp")
    user = UserFactory(email="ada@example.org")
    invoice = {
        "id": "in_klaviyo_1",
        "period_end": int(datetime(2026, 12, 25, tzinfo=UTC).timestamp()),
        "parent": {
            "subscription_details": {
                "subscription": "sub_klaviyo_1",
                "metadata": {"aeyia_user_id": str(user.pk), "aeyia_plan": "member-k"},
            }
        },
        "lines": {"data": []},
    }

    with django_capture_on_commit_callbacks(execute=True):
        membership = membership_record_invoice_paid(
            invoice=invoice, observed_at=datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
        )
        _apply(user, observed_second=1)  # the subscription event, second, changes nothing

    assert membership is not None and membership.is_current
    (body,) = LocalKlaviyo.requests_for("event_create")
    attributes = body["data"]["attributes"]
    assert attributes["metric"]["data"]["attributes"]["name"] == "Membership Started"
    assert attributes["unique_id"] == f"membership-{membership.pk}-sub_klaviyo_1-started"
