"""The Celery tasks' retry path, run for real in eager mode: a 429 is retried with the
server's Retry-After as countdown (exponential backoff without one), retries stop at
KLAVIYO_MAX_RETRIES and the failure is recorded; non-retryable errors are not retried."""

import logging
from datetime import UTC, datetime

import pytest
from celery.app.task import Task

from integrations.klaviyo import tasks
from integrations.klaviyo.local import LocalKlaviyo
from integrations.klaviyo.tasks import backoff_seconds
from integrations.klaviyo.types import KlaviyoEvent
from marketing_site.leads.models import KlaviyoFailure

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
EVENT = KlaviyoEvent(
    email="ada@example.org",
    metric="Course Completed",
    unique_id="course-4-user-9-completed",
    time=NOW,
    properties={"course": "calm-101"},
).as_dict()


@pytest.fixture
def retries(monkeypatch):
    """Every retry the tasks ask Celery for: (task name, countdown)."""
    asked: list[tuple[str, int]] = []
    original = Task.retry

    def spy(self, *args, **kwargs):
        asked.append((self.name, kwargs.get("countdown")))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Task, "retry", spy)
    return asked


def _countdowns(caplog) -> list[int]:
    return [record.countdown for record in caplog.records if record.msg == "klaviyo retry"]


@pytest.mark.django_db
def test_429_with_retry_after_is_retried_after_that_many_seconds(settings, retries, caplog):
    settings.KLAVIYO_MAX_RETRIES = 5
    LocalKlaviyo.fail_next("event_create", status=429, retry_after=30, times=2)
    caplog.set_level(logging.WARNING, logger="integrations.klaviyo.tasks")

    result = tasks.track_event.delay(EVENT)

    assert result.get() is True
    assert [countdown for _name, countdown in retries] == [30, 30]
    assert _countdowns(caplog) == [30, 30]
    assert len(LocalKlaviyo.profiles["ada@example.org"].events) == 1
    assert not KlaviyoFailure.objects.exists()


@pytest.mark.django_db
def test_429_without_retry_after_backs_off_exponentially(settings, retries):
    settings.KLAVIYO_MAX_RETRIES = 5
    LocalKlaviyo.fail_next("profile_delete", status=429, times=3)

    assert tasks.delete_profile.delay("ada@example.org").get() is True

    assert [countdown for _name, countdown in retries] == [10, 20, 40]


@pytest.mark.django_db
def test_retries_stop_at_the_cap_and_the_failure_is_recorded(settings, retries):
    settings.KLAVIYO_MAX_RETRIES = 3
    LocalKlaviyo.fail_next("event_create", status=503, times=10)

    result = tasks.track_event.delay(EVENT)

    assert result.get() is False
    assert len(retries) == 3
    failure = KlaviyoFailure.objects.get()
    assert failure.operation == "event_create"
    assert failure.label == "Course Completed"
    assert failure.email == "ada@example.org"
    assert failure.attempts == 4
    assert "503" in failure.error
    assert LocalKlaviyo.requests_for("event_create") == []


@pytest.mark.django_db
def test_a_client_error_is_not_retried(settings, retries):
    LocalKlaviyo.fail_next("list_subscribe", status=400)
    subscription = {
        "email": "ada@example.org",
        "list_id": "L1",
        "consented_at": NOW.isoformat(),
        "source": "",
    }

    assert tasks.subscribe_to_list.delay(subscription).get() is False

    assert retries == []
    assert KlaviyoFailure.objects.get().operation == "list_subscribe"


@pytest.mark.parametrize(
    ("attempt", "retry_after", "expected"),
    [(0, None, 10), (1, None, 20), (4, None, 160), (12, None, 3600), (0, 0.2, 1), (3, 90, 90),
     (0, 99999, 3600)],
)  # fmt: skip
def test_backoff(attempt, retry_after, expected):
    assert backoff_seconds(attempt=attempt, retry_after=retry_after) == expected


def test_tasks_drop_keys_outside_the_allow_list_again_on_the_worker():
    tampered = {**EVENT, "properties": {"course": "calm-101", "notes": "private"}}

    assert tasks.track_event.delay(tampered).get() is True

    body = LocalKlaviyo.requests_for("event_create")[0]
    assert body["data"]["attributes"]["properties"] == {"course": "calm-101"}
