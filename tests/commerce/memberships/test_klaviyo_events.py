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
