"""The Celery entry points and their beat entries."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from config.celery_app import app
from notifications import tasks
from notifications.kinds import Channel
from notifications.models import Delivery
from notifications.services import notification_settings_update, notify
from tests.accounts.factories import UserFactory
from tests.notifications.core_support import CONTEXT

pytestmark = pytest.mark.django_db


def test_beat_runs_the_redrive_and_the_digests():
    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "notifications.tasks.deliveries_redrive",
        "notifications.tasks.digests_send",
    } <= schedule
    app.loader.import_default_modules()
    for name in (
        "notifications.tasks.deliveries_redrive",
        "notifications.tasks.digests_send",
        "notifications.tasks.deliver",
    ):
        assert name in app.tasks


def test_tasks_deliver_redrive_and_digest(notification_types, django_capture_on_commit_callbacks):
    user = UserFactory()
    row = notify(
        recipient=user,
        type_key="tests.booked",
        context=CONTEXT,
        dedupe_key="t",
        channels=[Channel.EMAIL],
    ).deliveries.get()
    assert tasks.deliver(row.pk) == "sent"
    assert tasks.deliver(row.pk) == "not due"

    lost = notify(
        recipient=user,
        type_key="tests.booked",
        context=CONTEXT,
        dedupe_key="lost",
        channels=[Channel.EMAIL],
    ).deliveries.get()
    Delivery.objects.filter(pk=lost.pk).update(next_attempt_at=timezone.now() - timedelta(1))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.deliveries_redrive() == 1
    lost.refresh_from_db()
    assert lost.state == Delivery.State.SENT

    notification_settings_update(user=user, quiet_start=None, quiet_end=None, digest=True)
    notify(
        recipient=user,
        type_key="tests.booked",
        context=CONTEXT,
        dedupe_key="digest",
        channels=[Channel.EMAIL],
    )
    Delivery.objects.filter(in_digest=True).update(next_attempt_at=timezone.now())
    assert tasks.digests_send() == 1
    assert len(mail.outbox) == 3
