"""Notification types for the service's tests, with templates under
tests/notifications/templates/, registered for one test at a time."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from integrations.sms.local import LocalSmsSender
from notifications import kinds, rendering
from notifications.kinds import Category, Channel, EmailExtras, NotificationType

TEMPLATE_DIR = Path(__file__).parent / "templates"
ALL = frozenset(Channel)


def _ics(notification) -> EmailExtras:
    return EmailExtras(
        attachments=(("session.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar"),),
        headers={"X-Aeyia-Test": notification.dedupe_key},
    )


TEST_TYPES = (
    NotificationType(
        key="tests.booked", category=Category.BOOKINGS, channels=ALL, email_extras=_ics
    ),
    NotificationType(key="tests.reminder", category=Category.REMINDERS, channels=ALL, urgent=True),
    NotificationType(key="tests.receipt", category=Category.REQUIRED, channels=ALL),
    NotificationType(key="tests.offer", category=Category.MARKETING, channels=ALL),
)
CONTEXT = {"practitioner": "Sam Rivers", "starts_at": "Tuesday 10:00"}


@pytest.fixture
def notification_types(monkeypatch):
    """Registers the test types and adds their templates to the loader."""
    for notification_type in TEST_TYPES:
        monkeypatch.setitem(kinds._registry, notification_type.key, notification_type)
    engine = dict(settings.TEMPLATES[0])
    engine["DIRS"] = [*engine["DIRS"], TEMPLATE_DIR]
    rendering._template_exists_cached.cache_clear()
    with override_settings(TEMPLATES=[engine]):
        yield {notification_type.key: notification_type for notification_type in TEST_TYPES}
    rendering._template_exists_cached.cache_clear()


@pytest.fixture
def sms_outbox():
    LocalSmsSender.reset()
    yield LocalSmsSender.outbox
    LocalSmsSender.reset()
