"""Scheduled publishing: the beat task publishes revisions whose time has come."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from marketing_site.pages.tasks import publish_scheduled
from tests.marketing_site.pages.factories import StandardPageFactory, home_page

pytestmark = pytest.mark.django_db


def test_beat_runs_the_scheduled_publishing_task():
    entry = settings.CELERY_BEAT_SCHEDULE["publish-scheduled-pages"]
    assert entry["task"] == publish_scheduled.name


def test_a_scheduled_revision_goes_live_when_its_time_comes(client):
    page = StandardPageFactory(parent=home_page(), title="Sale", slug="sale", live=False)
    page.go_live_at = timezone.now() + dt.timedelta(hours=1)
    page.save_revision().publish()  # with a future go-live time this only schedules it

    publish_scheduled.delay()
    assert client.get("/sale/").status_code == 404

    with time_machine.travel(timezone.now() + dt.timedelta(hours=2)):
        publish_scheduled.delay()
        publish_scheduled.delay()  # idempotent

    assert client.get("/sale/").status_code == 200
