"""The Contentful sync engine.

A run fetches Sync API pages from the stored token (or an initial sync), mirrors each
page's entries, assets and deletions into `ContentfulRecord`, stores the token that
follows the page, and commits: one transaction per page, so a run stopped by a 429 or a
crash resumes exactly after the last committed page. After each page the pending
records are applied to Wagtail through the mappers (one savepoint per record, so one bad
entry does not hold the others back). An initial sync ends by retiring the records it
did not see (Contentful's initial sync lists everything that is published).

Runs never overlap: a run claims the state row with a conditional UPDATE (a lease
refreshed after every page; a crashed run's lease expires). Requests to sync (webhooks,
"Sync now") are coalesced with a cache key so a burst enqueues one task.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import timedelta

from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from cms.contentful_sync.assets import asset_image_apply, is_image_asset
from cms.contentful_sync.mappers import MAPPERS, ApplyContext, MapperNotReady, mapper_for
from cms.contentful_sync.models import ContentfulRecord, ContentfulSyncRun, ContentfulSyncState
from integrations.contentful import get_contentful
from integrations.contentful.protocol import ContentfulGateway
from integrations.contentful.types import (
    ContentfulError,
    ContentfulRateLimited,
    ContentfulUnavailable,
    Deletion,
    SyncedAsset,
    SyncedEntry,
    SyncPage,
)

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)
QUEUED_KEY = "contentful-sync:queued"
# How long a queued request absorbs further requests if its task never starts.
QUEUED_TTL_SECONDS = 300
MAX_ERROR_LENGTH = 4000


@dataclasses.dataclass
class PageCounts:
    upserted: int = 0
    unchanged: int = 0
    deleted: int = 0


def contentful_sync_state() -> ContentfulSyncState:
    """The state row, created on first use."""
    state, _created = ContentfulSyncState.objects.get_or_create(pk=1)
    return state


def _claim(*, now) -> bool:
    contentful_sync_state()
    claimed = (
        ContentfulSyncState.objects.filter(pk=1)
        .filter(
            ~Q(status=ContentfulSyncState.Status.RUNNING)
            | Q(heartbeat_at__isnull=True)
            | Q(heartbeat_at__lt=now - LEASE)
        )
        .update(status=ContentfulSyncState.Status.RUNNING, heartbeat_at=now, last_started_at=now)
    )
    return claimed == 1


def _record_fields(item: SyncedEntry | SyncedAsset) -> dict:
    if isinstance(item, SyncedEntry):
        return item.fields
    values = dataclasses.asdict(item)
    for key in ("id", "version", "updated_at", "sys_type"):
        values.pop(key)
    return values


@transaction.atomic
def contentful_page_mirror(*, page: SyncPage, now) -> PageCounts:
    """Upsert the page's entries and assets and mark its deletions, keyed by (sys type,
    id). The same item twice changes nothing; an older version than the one we hold is
    ignored; a deletion of something we never saw is ignored."""
    counts = PageCounts()
    keys = {
        (item.kind if isinstance(item, Deletion) else item.sys_type, item.id) for item in page.items
    }
    existing: dict[tuple[str, str], ContentfulRecord] = {}
    if keys:
        condition = Q()
        for sys_type, contentful_id in keys:
            condition |= Q(sys_type=sys_type, contentful_id=contentful_id)
        existing = {
            (record.sys_type, record.contentful_id): record
            for record in ContentfulRecord.objects.select_for_update().filter(condition)
        }
    for item in page.items:
        if isinstance(item, Deletion):
            record = existing.get((item.kind, item.id))
            if record is not None and not record.is_deleted:
                record.is_deleted = True
                record.deleted_at = now
                record.last_seen_at = now
                record.save(update_fields=["is_deleted", "deleted_at", "last_seen_at"])
                counts.deleted += 1
            continue
        fields = _record_fields(item)
        content_type = item.content_type if isinstance(item, SyncedEntry) else ""
        record = existing.get((item.sys_type, item.id))
        if record is None:
            record = ContentfulRecord.objects.create(
                sys_type=item.sys_type,
                contentful_id=item.id,
                content_type=content_type,
                fields=fields,
                version=item.version,
                updated_at=item.updated_at,
                first_synced_at=now,
                last_seen_at=now,
            )
            existing[(item.sys_type, item.id)] = record
            counts.upserted += 1
            continue
        is_same = (
            not record.is_deleted
            and record.version == item.version
            and record.content_type == content_type
            and record.fields == fields
        )
        is_stale = not record.is_deleted and item.version < record.version
        if is_same or is_stale:
            record.last_seen_at = now
            record.save(update_fields=["last_seen_at"])
            counts.unchanged += 1
            continue
        record.content_type = content_type
        record.fields = fields
        record.version = item.version
        record.updated_at = item.updated_at
        record.is_deleted = False
        record.deleted_at = None
        record.last_seen_at = now
        if record.applied_version == item.version:
            # Republished with the same version after a deletion: apply it again.
            record.applied_version = None
        record.save()
        counts.upserted += 1
    return counts


def _pending_records():
    mapped = Q(sys_type=ContentfulRecord.SysType.ASSET) | Q(content_type__in=list(MAPPERS))
    to_apply = Q(is_deleted=False) & (
        Q(applied_version__isnull=True) | ~Q(applied_version=F("version"))
    )
    to_withdraw = Q(is_deleted=True, is_withdrawn=False, wagtail_object_id__isnull=False)
    # Assets ("Asset" < "Entry") first, so entries find their images.
    return ContentfulRecord.objects.filter((mapped & to_apply) | to_withdraw).order_by(
        "sys_type", "first_synced_at", "pk"
    )


def _apply_record(*, record: ContentfulRecord, gateway: ContentfulGateway, context: ApplyContext):
    if record.sys_type == ContentfulRecord.SysType.ASSET:
        if record.is_deleted:
            # Pages may still show the image; Contentful's deletion leaves it in Wagtail.
            record.is_withdrawn = True
            return
        if not is_image_asset(record):
            record.applied_version = record.version  # mirrored only
            return
        image = asset_image_apply(record=record, gateway=gateway)
        record.wagtail_model = image._meta.label_lower
        record.wagtail_object_id = image.pk
        record.applied_version = record.version
        record.is_withdrawn = False
        return
    mapper = mapper_for(record.content_type)
    if record.is_deleted:
        if mapper is not None:
            mapper.withdraw(record=record)
        record.is_withdrawn = True
        return
    if mapper is None:
        return
    obj = mapper.apply(record=record, context=context)
    record.wagtail_model = obj._meta.label_lower
    record.wagtail_object_id = obj.pk
    record.applied_version = record.version
    record.is_withdrawn = False


def contentful_records_apply(*, gateway: ContentfulGateway) -> tuple[int, int]:
    """Apply every pending record to Wagtail (create/update pages, snippets and images;
    unpublish or delete what Contentful withdrew). Returns (applied, failed). A record
    that fails keeps its error; it is retried next run unless the failure is final for
    that version (a rejected file, invalid content). Rate limits and outages stop the
    loop and propagate."""
    applied = failed = 0
    context = ApplyContext()
    for record in _pending_records():
        try:
            with transaction.atomic():
                _apply_record(record=record, gateway=gateway, context=context)
                record.apply_error = ""
                record.save()
            applied += 1
        except (ContentfulRateLimited, ContentfulUnavailable):
            raise
        except MapperNotReady as error:
            failed += 1
            ContentfulRecord.objects.filter(pk=record.pk).update(apply_error=str(error))
        except Exception as error:  # noqa: BLE001 (one bad record must not stop the sync)
            # A rejected file (AssetRejected), a refused download or invalid content is
            # final for this version: retried when Contentful sends a new one.
            failed += 1
            logger.warning("contentful record %s not applied: %s", record, error)
            ContentfulRecord.objects.filter(pk=record.pk).update(
                apply_error=f"{type(error).__name__}: {error}"[:MAX_ERROR_LENGTH],
                applied_version=record.version if not record.is_deleted else None,
                is_withdrawn=record.is_deleted,
            )
        # Links to what was just created resolve for the records after it.
        context = ApplyContext()
    return applied, failed


def _retire_unseen(*, since, now) -> int:
    """After an initial sync: what it did not list is no longer published."""
    return (
        ContentfulRecord.objects.filter(is_deleted=False)
        .filter(Q(last_seen_at__lt=since))
        .update(is_deleted=True, deleted_at=now)
    )


def _finish(*, run: ContentfulSyncRun, outcome: str, error: str = "") -> None:
    now = timezone.now()
    run.finished_at = now
    run.outcome = outcome
    run.error = error[:MAX_ERROR_LENGTH]
    run.save()
    status_after: dict[str, str] = {
        ContentfulSyncRun.Outcome.SUCCEEDED: ContentfulSyncState.Status.IDLE,
        ContentfulSyncRun.Outcome.RATE_LIMITED: ContentfulSyncState.Status.WAITING,
    }
    status = status_after.get(outcome, ContentfulSyncState.Status.FAILED)
    updates = {
        "status": status,
        "last_finished_at": now,
        "heartbeat_at": None,
        "pages_last_run": run.pages,
        "upserted_last_run": run.upserted,
        "deleted_last_run": run.deleted,
        "last_error": run.error,
    }
    if outcome == ContentfulSyncRun.Outcome.SUCCEEDED:
        updates.update(last_succeeded_at=now, consecutive_rate_limits=0)
    if outcome == ContentfulSyncRun.Outcome.RATE_LIMITED:
        updates["consecutive_rate_limits"] = F("consecutive_rate_limits") + 1
    ContentfulSyncState.objects.filter(pk=1).update(**updates)


def contentful_sync_run(*, full: bool = False, trigger: str = "manual") -> ContentfulSyncRun | None:
    """Sync Wagtail with Contentful: from the stored token, or from scratch when there is
    none or `full` is set. Returns the run, or None when another run holds the lease.

    Not one transaction on purpose: each page commits with the token after it. Raises
    `ContentfulRateLimited` (the task retries after `reset_seconds`; the next run
    continues from the stored token) and other `ContentfulError`s, after recording them
    on the state row and the run."""
    now = timezone.now()
    if not _claim(now=now):
        logger.info("contentful sync skipped: another run holds the lease")
        return None
    run = ContentfulSyncRun.objects.create(trigger=trigger, is_full=full, started_at=now)
    try:
        gateway = get_contentful()
        state = contentful_sync_state()
        if full or not state.next_token:
            ContentfulSyncState.objects.filter(pk=1).update(
                is_initial_in_progress=True, initial_started_at=now
            )
            page = gateway.sync_initial()
        else:
            page = gateway.sync_next(state.next_token)
        while True:
            page_time = timezone.now()
            with transaction.atomic():
                counts = contentful_page_mirror(page=page, now=page_time)
                state = ContentfulSyncState.objects.select_for_update().get(pk=1)
                state.next_token = page.token
                state.heartbeat_at = page_time
                if not page.has_more and state.is_initial_in_progress:
                    counts.deleted += _retire_unseen(since=state.initial_started_at, now=page_time)
                    state.is_initial_in_progress = False
                state.save(update_fields=["next_token", "heartbeat_at", "is_initial_in_progress"])
                run.pages += 1
                run.upserted += counts.upserted
                run.unchanged += counts.unchanged
                run.deleted += counts.deleted
                run.save(update_fields=["pages", "upserted", "unchanged", "deleted"])
            applied, failed = contentful_records_apply(gateway=gateway)
            run.applied += applied
            run.apply_failures += failed
            run.save(update_fields=["applied", "apply_failures"])
            if not page.has_more:
                break
            page = gateway.sync_next(page.next_page_token)
    except ContentfulRateLimited as error:
        _finish(
            run=run,
            outcome=ContentfulSyncRun.Outcome.RATE_LIMITED,
            error=f"Rate-limited by Contentful; resuming in {error.reset_seconds} s.",
        )
        raise
    except ContentfulError as error:
        _finish(
            run=run,
            outcome=ContentfulSyncRun.Outcome.FAILED,
            error=f"{type(error).__name__}: {error}",
        )
        raise
    except Exception as error:
        _finish(
            run=run,
            outcome=ContentfulSyncRun.Outcome.FAILED,
            error=f"{type(error).__name__}: {error}",
        )
        raise
    _finish(run=run, outcome=ContentfulSyncRun.Outcome.SUCCEEDED)
    run.refresh_from_db()
    return run


def contentful_sync_request(*, trigger: str, full: bool = False) -> bool:
    """Ask for a sync soon (a webhook, "Sync now"). Requests made while one is already
    queued are absorbed: a burst of webhooks enqueues one task. Returns whether this call
    enqueued it. The task clears the key as it starts, so a change published during a
    run queues the next one."""
    from cms.contentful_sync.tasks import contentful_sync_task
    from events.outbox import enqueue_on_commit

    if not cache.add(QUEUED_KEY, trigger, timeout=QUEUED_TTL_SECONDS):
        return False
    # Through the task outbox: a broker outage never fails the webhook or the staff action
    # (the row is relayed when the broker is back), and a failing eager run is logged.
    enqueue_on_commit(contentful_sync_task, full=full, trigger=trigger)
    return True


def contentful_sync_request_started() -> None:
    """Called by the task as it starts: later requests queue a new run."""
    cache.delete(QUEUED_KEY)
