"""Push subscriptions in a person's data export and erasure."""

import json

import pytest

from notifications.push.models import PushSubscription
from notifications.push.registrations import push_subscriptions_erase, push_subscriptions_export
from privacy.export import covered_models as exported_models
from privacy.registry import ErasureSubject, covered_models
from tests.accounts.factories import UserFactory
from tests.notifications.push.support import Browser

pytestmark = pytest.mark.django_db


def subscribe(user, endpoint):
    browser = Browser()
    return PushSubscription.objects.create(
        user=user, endpoint=endpoint, p256dh=browser.p256dh, auth=browser.auth, user_agent="Firefox"
    )


def test_push_subscriptions_are_registered_for_export_and_erasure():
    assert covered_models()["webpush.PushSubscription"] == "webpush"
    assert exported_models()["webpush.PushSubscription"] == "push"


def test_the_export_says_where_push_is_on_without_the_capability_url():
    user = UserFactory()
    subscription = subscribe(user, "https://fcm.googleapis.com/fcm/send/secret-token")
    subscribe(UserFactory(), "https://updates.push.services.mozilla.com/wpush/v2/other")

    [(name, content)] = list(push_subscriptions_export(user))

    assert name == "push_subscriptions.json"
    rows = json.loads(content)
    assert rows == [
        {
            "browser": "Firefox",
            "push_service": "fcm.googleapis.com",
            "turned_on_at": subscription.created_at.isoformat(),
            "last_delivered_at": None,
        }
    ]
    assert b"secret-token" not in content and subscription.auth.encode() not in content


def test_erasure_removes_every_subscription_of_the_person_only():
    user, other = UserFactory(), UserFactory()
    subscribe(user, "https://push.example/a")
    subscribe(user, "https://push.example/b")
    kept = subscribe(other, "https://push.example/c")

    assert push_subscriptions_erase(ErasureSubject(email=user.email, user=user)) == 2
    assert list(PushSubscription.objects.all()) == [kept]
    assert push_subscriptions_erase(ErasureSubject(email="lead@example.org", user=None)) == 0
