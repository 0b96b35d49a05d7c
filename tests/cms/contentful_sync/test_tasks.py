"""The Celery task: back-off on 429 and outages, resume from the stored token. The task
body is run as a worker runs it (`run()` inside a request with its retry count); the
retry itself is recorded instead of scheduled."""

import pytest
from celery.exceptions import Retry

from cms.contentful_sync.models import ContentfulRecord, ContentfulSyncRun, ContentfulSyncState
from cms.contentful_sync.services import contentful_sync_state
from cms.contentful_sync.tasks import contentful_sync_task, rate_limit_countdown
from integrations.contentful.local import LocalContentful
from integrations.contentful.types import (
    ContentfulRateLimited,
    ContentfulUnauthorized,
    ContentfulUnavailable,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def retries(monkeypatch):
    """The countdowns the task asked for; each request raises Retry as Celery's does."""
    asked = []

    def record(*args, countdown=None, **kwargs):
        asked.append(countdown)
        return Retry("retry", when=countdown)

    monkeypatch.setattr(contentful_sync_task, "retry", record)
    return asked


def _run_as_worker(*, retries=0, **kwargs):
    contentful_sync_task.push_request(retries=retries, is_eager=False)
    try:
        return contentful_sync_task.run(**kwargs)
    finally:
        contentful_sync_task.pop_request()


def test_a_429_part_way_is_retried_after_the_reset_and_resumes_there(retries):
    LocalContentful.page_size = 2
    for number in range(5):
        LocalContentful.publish(content_type="faq", entry_id=f"q{number}", fields={"question": "?"})
    space = LocalContentful()
    first_page = space.sync_initial()
    LocalContentful.requests.clear()
    original = LocalContentful.sync_next
    seen = []

    def sync_next(self, token):
        seen.append(token)
        if len(seen) == 1:
            raise ContentfulRateLimited("429", reset_seconds=4)
        return original(self, token)

    LocalContentful.sync_next = sync_next
    try:
        with pytest.raises(Retry):
            _run_as_worker(trigger="test")
        state = contentful_sync_state()
        assert state.status == ContentfulSyncState.Status.WAITING
        assert state.next_token == first_page.next_page_token
        assert ContentfulRecord.objects.count() == 2

        outcome = _run_as_worker(retries=1, trigger="test")
    finally:
        LocalContentful.sync_next = original

    assert len(retries) == 1 and 4 <= retries[0] <= 5
    assert seen[0] == seen[1] == first_page.next_page_token
    assert outcome == ContentfulSyncRun.Outcome.SUCCEEDED
    assert ContentfulRecord.objects.count() == 5


def test_rate_limit_retries_are_capped(retries, settings):
    settings.CONTENTFUL_MAX_RATE_LIMIT_RETRIES = 2
    LocalContentful.fail_next(ContentfulRateLimited("429", reset_seconds=1))

    assert _run_as_worker(retries=2) == "rate_limited"
    assert retries == []
    assert contentful_sync_state().status == ContentfulSyncState.Status.WAITING


def test_an_outage_backs_off_exponentially(retries):
    for attempt in range(3):
        LocalContentful.fail_next(ContentfulUnavailable("503"))
        with pytest.raises(Retry):
            _run_as_worker(retries=attempt)

    assert retries == [30, 60, 120]
    assert _run_as_worker(retries=3) == ContentfulSyncRun.Outcome.SUCCEEDED


def test_a_refused_token_is_not_retried(retries):
    LocalContentful.fail_next(ContentfulUnauthorized("401"))

    assert _run_as_worker() == "failed"
    assert retries == []
    assert "401" in contentful_sync_state().last_error


def test_run_eagerly_a_429_waits_for_the_next_request_instead_of_looping(retries):
    LocalContentful.fail_next(ContentfulRateLimited("429", reset_seconds=30))

    assert contentful_sync_task.apply().get() == "rate_limited"
    assert retries == []
    assert contentful_sync_task.apply().get() == ContentfulSyncRun.Outcome.SUCCEEDED


def test_a_run_behind_a_held_lease_comes_back_later(retries):
    from django.utils import timezone

    contentful_sync_state()
    ContentfulSyncState.objects.update(
        status=ContentfulSyncState.Status.RUNNING, heartbeat_at=timezone.now()
    )

    with pytest.raises(Retry):
        _run_as_worker()
    assert retries == [60]
    assert contentful_sync_task.apply().get() == "busy"


def test_countdown_follows_contentfuls_reset_with_a_little_jitter():
    assert all(7 <= rate_limit_countdown(7) <= 8 for _ in range(50))
    assert rate_limit_countdown(0) >= 1
    assert rate_limit_countdown(10_000) == 3600
