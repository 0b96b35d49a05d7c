"""Retention: `retention_purge --dry-run` reports what is past its period and changes
nothing; the real run purges it through the registered purgers and is audited."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from marketplace.clients.messaging import services as messaging
from marketplace.clients.messaging.models import Message, Thread
from marketplace.clients.records.access import record_access
from marketplace.clients.records.models import CareRecord
from privacy.models import AuditEntry
from privacy.retention import registered_purgers, retention_cutoff
from tests.marketplace.clients.factories import CareRecordFactory

pytestmark = pytest.mark.django_db


def _conversation(record):
    access = record_access(user=record.client, record_id=record.pk)
    messaging.thread_start(access=access, user=record.client, subject="s", body="b")


def test_dry_run_reports_and_the_real_run_purges_only_what_is_past_retention(settings):
    settings.RETENTION_POLICY = {**settings.RETENTION_POLICY, "clinical_adult": 7}
    old, recent = CareRecordFactory(), CareRecordFactory()
    _conversation(old)
    _conversation(recent)
    CareRecord.objects.filter(pk=old.pk).update(
        last_contact_at=timezone.now() - timedelta(days=7 * 365 + 10)
    )
    audits = AuditEntry.objects.filter(action="retention_purge").count()

    out = StringIO()
    call_command("retention_purge", "--dry-run", stdout=out)
    assert "clinical_adult:messaging: would purge 1" in out.getvalue()
    assert Message.objects.count() == 2
    assert AuditEntry.objects.filter(action="retention_purge").count() == audits

    out = StringIO()
    call_command("retention_purge", stdout=out)
    assert "clinical_adult:messaging: purged 1" in out.getvalue()
    assert not Thread.objects.filter(record=old).exists()
    assert Thread.objects.filter(record=recent).exists()
    entry = AuditEntry.objects.filter(action="retention_purge").latest("pk")
    assert entry.details["counts"]["clinical_adult:messaging"] == 1

    out = StringIO()
    call_command("retention_purge", "--dry-run", stdout=out)
    assert "clinical_adult:messaging: would purge 0" in out.getvalue()


def test_clinical_apps_register_purgers_and_the_default_period_is_seven_years():
    assert "messaging" in {entry.name for entry in registered_purgers()}
    now = timezone.now()
    assert (now - retention_cutoff("clinical_adult", now=now)).days in {2556, 2557}
