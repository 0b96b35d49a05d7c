"""The sync engine, replaying Contentful's recorded Sync API pages through the live adapter
and driving the offline space."""

import pytest
import responses
from django.utils import timezone
from wagtail.images import get_image_model

from cms.contentful_sync.models import ContentfulRecord, ContentfulSyncRun, ContentfulSyncState
from cms.contentful_sync.services import (
    LEASE,
    contentful_page_mirror,
    contentful_sync_run,
    contentful_sync_state,
)
from integrations.contentful.local import LocalContentful
from integrations.contentful.types import (
    ContentfulRateLimited,
    ContentfulUnauthorized,
    Deletion,
    SyncedEntry,
    SyncPage,
)
from tests.integrations.contentful.recordings import (
    INITIAL_SYNC,
    NEXT_SYNC,
    serve,
    serve_recorded_asset_files,
    token_in,
)

pytestmark = pytest.mark.django_db

Image = get_image_model()


def _keys(**filters):
    return set(ContentfulRecord.objects.filter(**filters).values_list("sys_type", "contentful_id"))


@responses.activate
def test_the_recorded_initial_sync_mirrors_entries_and_assets_and_stores_the_token(live_adapter):
    serve(responses, INITIAL_SYNC, "rb__sync_page.json")
    serve(responses, NEXT_SYNC, "rb__sync_page_2.json")
    serve_recorded_asset_files(responses)

    run = contentful_sync_run()

    assert run.outcome == ContentfulSyncRun.Outcome.SUCCEEDED
    assert (run.pages, run.upserted, run.deleted) == (2, 14, 0)
    assert ContentfulRecord.objects.filter(sys_type="Entry").count() == 10
    assert ContentfulRecord.objects.filter(sys_type="Asset").count() == 4
    finn = ContentfulRecord.objects.get(sys_type="Entry", contentful_id="finn")
    assert (finn.content_type, finn.fields["name"], finn.version) == ("human", "Finn", 6)
    state = contentful_sync_state()
    assert state.next_token == token_in("rb__sync_page_2.json")
    assert state.status == ContentfulSyncState.Status.IDLE and not state.is_initial_in_progress
    # Every image asset became one Wagtail image; cats, dogs, humans and cities are
    # mirrored only.
    assert Image.objects.count() == 4
    doge = ContentfulRecord.objects.get(sys_type="Asset", contentful_id="1x0xpXu4pSGS4OukSyWGUK")
    assert Image.objects.get(pk=doge.wagtail_object_id).title == "Doge"
    assert not ContentfulRecord.objects.filter(sys_type="Entry", wagtail_object_id__isnull=False)


@responses.activate
def test_the_recorded_deletions_remove_what_we_hold_and_ignore_unknown_ids(live_adapter):
    serve(responses, INITIAL_SYNC, "rb__sync_page.json")
    serve(responses, NEXT_SYNC, "rb__sync_page_2.json")
    serve_recorded_asset_files(responses)
    contentful_sync_run()
    now = timezone.now()
    # Seeded: two of the assets the recorded deletion page removes.
    for asset_id in ("5c6VY0gWg0gwaIeYkUUiqG", "3MZPnjZTIskAIIkuuosCss"):
        ContentfulRecord.objects.create(
            sys_type="Asset", contentful_id=asset_id, first_synced_at=now, last_seen_at=now
        )
    serve(responses, NEXT_SYNC, "rb__sync_deletion.json")

    run = contentful_sync_run()

    assert run.deleted == 2
    assert _keys(is_deleted=True) == {
        ("Asset", "5c6VY0gWg0gwaIeYkUUiqG"),
        ("Asset", "3MZPnjZTIskAIIkuuosCss"),
    }
    # `finn` is an Entry here and a DeletedAsset there: the entry stays.
    assert not ContentfulRecord.objects.get(sys_type="Entry", contentful_id="finn").is_deleted
    assert not ContentfulRecord.objects.filter(contentful_id="CVebBDcQsSsu6yKKIayy").exists()
    assert ContentfulRecord.objects.count() == 16
    assert contentful_sync_state().next_token == token_in("rb__sync_deletion.json")
    assert f"sync_token={token_in('rb__sync_page_2.json')}" in responses.calls[-1].request.url


@responses.activate
def test_syncing_the_same_content_twice_creates_nothing_new(live_adapter):
    for _ in range(2):
        serve(responses, INITIAL_SYNC, "rb__sync_page.json")
        serve(responses, NEXT_SYNC, "rb__sync_page_2.json")
    serve_recorded_asset_files(responses)
    contentful_sync_run()
    records = list(ContentfulRecord.objects.values_list("pk", "version", "applied_version"))
    downloads = len(responses.calls)

    again = contentful_sync_run(full=True)

    assert (again.upserted, again.unchanged, again.applied, again.deleted) == (0, 14, 0, 0)
    assert list(ContentfulRecord.objects.values_list("pk", "version", "applied_version")) == records
    assert Image.objects.count() == 4
    assert len(responses.calls) == downloads + 2  # two sync pages, no downloads


@responses.activate
def test_a_429_mid_sync_keeps_the_page_token_and_the_next_run_resumes_there(live_adapter):
    serve(responses, INITIAL_SYNC, "rb__sync_page.json")
    serve(
        responses,
        NEXT_SYNC,
        "rb__ratelimit_retry__1.json",
        headers={"X-Contentful-RateLimit-Reset": "1"},
    )
    serve_recorded_asset_files(responses)

    with pytest.raises(ContentfulRateLimited) as raised:
        contentful_sync_run()

    assert raised.value.reset_seconds == 1
    state = contentful_sync_state()
    assert state.status == ContentfulSyncState.Status.WAITING
    assert state.next_token == token_in("rb__sync_page.json")  # the page token
    assert state.is_initial_in_progress
    assert state.consecutive_rate_limits == 1
    assert ContentfulRecord.objects.count() == 14  # page 1 is committed
    assert ContentfulSyncRun.objects.get().outcome == ContentfulSyncRun.Outcome.RATE_LIMITED

    serve(responses, NEXT_SYNC, "rb__sync_page_2.json")
    resumed = contentful_sync_run()

    assert resumed.outcome == ContentfulSyncRun.Outcome.SUCCEEDED
    assert resumed.pages == 1
    assert f"sync_token={token_in('rb__sync_page.json')}" in responses.calls[-1].request.url
    state.refresh_from_db()
    assert state.next_token == token_in("rb__sync_page_2.json")
    assert not state.is_initial_in_progress and state.consecutive_rate_limits == 0
    assert ContentfulRecord.objects.filter(is_deleted=False).count() == 14


@responses.activate
def test_a_refused_token_is_recorded_for_staff_and_the_lease_is_released(live_adapter):
    serve(responses, INITIAL_SYNC, "rb__unauthorized.json")

    with pytest.raises(ContentfulUnauthorized):
        contentful_sync_run()

    state = contentful_sync_state()
    assert state.status == ContentfulSyncState.Status.FAILED
    assert "ContentfulUnauthorized" in state.last_error
    assert state.next_token == ""
    assert ContentfulSyncRun.objects.get().outcome == ContentfulSyncRun.Outcome.FAILED


def test_a_full_sync_retires_what_contentful_no_longer_lists():
    LocalContentful.publish(content_type="cat", entry_id="kept", fields={"name": "Kept"})
    gone = LocalContentful.publish(content_type="cat", entry_id="gone", fields={"name": "Gone"})
    contentful_sync_run()
    # Lost from the space without a deletion we saw (a token reset, a restored backup).
    LocalContentful.reset()
    LocalContentful.publish(content_type="cat", entry_id="kept", fields={"name": "Kept"})

    run = contentful_sync_run(full=True)

    assert run.deleted == 1
    assert _keys(is_deleted=True) == {("Entry", gone.id)}


def test_incremental_syncs_see_changes_and_deletions_of_the_offline_space():
    LocalContentful.publish(content_type="cat", entry_id="tom", fields={"name": "Tom"})
    contentful_sync_run()
    LocalContentful.publish(content_type="cat", entry_id="tom", fields={"name": "Thomas"})
    LocalContentful.publish(content_type="dog", entry_id="rex", fields={"name": "Rex"})

    changed = contentful_sync_run()
    LocalContentful.delete(kind="Entry", id="rex")
    deleted = contentful_sync_run()

    assert (changed.upserted, changed.deleted) == (2, 0)
    assert (deleted.upserted, deleted.deleted) == (0, 1)
    tom = ContentfulRecord.objects.get(contentful_id="tom")
    assert (tom.fields, tom.version) == ({"name": "Thomas"}, 2)
    assert ContentfulRecord.objects.get(contentful_id="rex").is_deleted


def test_the_page_mirror_ignores_an_older_version_than_it_holds():
    now = timezone.now()
    newer = SyncedEntry(id="a", content_type="cat", fields={"v": 3}, updated_at=now, version=3)
    older = SyncedEntry(id="a", content_type="cat", fields={"v": 2}, updated_at=now, version=2)
    contentful_page_mirror(page=SyncPage(items=(newer,), next_sync_token="t"), now=now)

    counts = contentful_page_mirror(
        page=SyncPage(items=(older, Deletion(kind="Entry", id="nobody")), next_sync_token="t"),
        now=now,
    )

    assert (counts.upserted, counts.unchanged, counts.deleted) == (0, 1, 0)
    assert ContentfulRecord.objects.get().fields == {"v": 3}


def test_runs_never_overlap_but_a_dead_runs_lease_expires():
    state = contentful_sync_state()
    state.status = ContentfulSyncState.Status.RUNNING
    state.heartbeat_at = timezone.now()
    state.save()

    assert contentful_sync_run() is None
    assert not ContentfulSyncRun.objects.exists()

    ContentfulSyncState.objects.update(heartbeat_at=timezone.now() - LEASE * 2)
    run = contentful_sync_run()

    assert run is not None and run.outcome == ContentfulSyncRun.Outcome.SUCCEEDED
    assert contentful_sync_state().status == ContentfulSyncState.Status.IDLE


@pytest.mark.django_db(transaction=True)
def test_two_runs_started_together_sync_once(monkeypatch):
    """Real threads, each with its own connection: the conditional claim lets one in."""
    import threading

    from django.db import connection

    LocalContentful.publish(content_type="cat", entry_id="tom", fields={"name": "Tom"})
    inside, release = threading.Event(), threading.Event()
    original = LocalContentful.sync_initial

    def slow_initial(self):
        inside.set()
        release.wait(20)
        return original(self)

    monkeypatch.setattr(LocalContentful, "sync_initial", slow_initial)
    results, errors = [], []

    def run():
        try:
            results.append(contentful_sync_run(trigger="thread"))
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)
        finally:
            connection.close()

    first = threading.Thread(target=run)
    first.start()
    assert inside.wait(20)
    second = threading.Thread(target=run)
    second.start()
    second.join(20)
    release.set()
    first.join(20)

    assert errors == []
    assert sorted(result is None for result in results) == [False, True]
    assert ContentfulSyncRun.objects.count() == 1
    assert ContentfulRecord.objects.count() == 1
    assert contentful_sync_state().status == ContentfulSyncState.Status.IDLE
