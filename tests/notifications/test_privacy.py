"""What the notification service holds about a person is in their export and goes when
they are erased."""

import io
import json
import zipfile
from datetime import time

import pytest

from notifications.kinds import Category, Channel
from notifications.models import (
    ContactPoint,
    Delivery,
    Notification,
    NotificationPreference,
    NotificationSettings,
)
from notifications.registrations import notifications_erase, notifications_export
from notifications.services import (
    contact_point_set,
    notification_settings_update,
    notify,
    preference_set,
)
from privacy import export, registry
from privacy.registry import ErasureSubject
from tests.accounts.factories import UserFactory
from tests.notifications.core_support import CONTEXT

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(notification_types):
    user = UserFactory(email="ada@example.org")
    notify(recipient=user, type_key="tests.booked", context=CONTEXT, dedupe_key="a")
    preference_set(user=user, category=Category.MARKETING, channel=Channel.EMAIL, enabled=True)
    notification_settings_update(user=user, quiet_start=time(22), quiet_end=time(7), digest=True)
    contact_point_set(user=user, phone_number="+447700900123", sms_opt_in=True)
    # Sent to the same address before the account existed (a lead).
    notify(
        recipient=None,
        email="Ada@Example.org",
        type_key="tests.booked",
        context=CONTEXT,
        dedupe_key="lead",
    )
    other = UserFactory()
    notify(recipient=other, type_key="tests.booked", context=CONTEXT, dedupe_key="a")
    return user


def test_registered_for_erasure_and_export():
    covered = registry.covered_models()
    exported = export.covered_models()
    for label in (
        "notifications.Notification",
        "notifications.Delivery",
        "notifications.NotificationPreference",
        "notifications.NotificationSettings",
        "notifications.ContactPoint",
    ):
        assert covered[label] == "notifications"
        assert exported[label] == "notifications"


def test_export_holds_their_notifications_and_choices(person):
    files = dict(notifications_export(person))
    notifications = json.loads(files["notifications.json"])
    assert [item["title"] for item in notifications] == ["Booking confirmed"]
    assert {item["channel"] for item in notifications[0]["deliveries"]} == {
        "in_app",
        "email",
        "push",
    }
    choices = json.loads(files["preferences.json"])
    assert choices["mobile_number"] == "+447700900123"
    assert choices["text_messages_agreed"] is True
    assert choices["quiet_hours"] == {"start": "22:00:00", "end": "07:00:00"}
    assert choices["choices"] == [{"category": "marketing", "channel": "email", "enabled": True}]


def test_erasure_removes_everything_about_them_and_nothing_else(person):
    other_before = (
        Notification.objects.exclude(recipient=person).exclude(recipient__isnull=True).count()
    )
    changed = notifications_erase(ErasureSubject(email="ada@example.org", user=person))
    assert changed >= 5
    assert not Notification.objects.filter(recipient=person).exists()
    assert not Notification.objects.filter(email__iexact="ada@example.org").exists()
    assert not Delivery.objects.filter(notification__recipient=person).exists()
    for model in (NotificationPreference, NotificationSettings, ContactPoint):
        assert not model.objects.filter(user=person).exists()
    assert Notification.objects.exclude(recipient__isnull=True).count() == other_before == 1


def test_erasure_of_someone_without_an_account(person):
    notifications_erase(ErasureSubject(email="ada@example.org", user=None))
    assert not Notification.objects.filter(recipient__isnull=True).exists()
    assert Notification.objects.filter(recipient=person).exists()


def test_export_is_valid_json_bytes(person):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, content in notifications_export(person):
            archive.writestr(path, b"".join(export.chunks(content)))
    assert set(zipfile.ZipFile(buffer).namelist()) == {"notifications.json", "preferences.json"}
