"""Reads for the staff screen."""

from dataclasses import dataclass

from django.db.models import Count, Q

from cms.contentful_sync.models import ContentfulRecord, ContentfulSyncRun, ContentfulSyncState

RECENT_RUNS = 10
ERRORS_SHOWN = 20


@dataclass(frozen=True)
class SyncOverview:
    state: ContentfulSyncState
    runs: list[ContentfulSyncRun]
    counts_by_type: list[dict]
    failing_records: list[ContentfulRecord]
    total_records: int
    deleted_records: int


def contentful_sync_overview() -> SyncOverview:
    """State, recent runs, record counts per content type and the records that could not
    be applied; a fixed number of queries whatever the size of the space."""
    state, _created = ContentfulSyncState.objects.get_or_create(pk=1)
    counts = list(
        ContentfulRecord.objects.values("sys_type", "content_type")
        .annotate(
            total=Count("pk"),
            live=Count("pk", filter=Q(is_deleted=False)),
            in_wagtail=Count("pk", filter=Q(wagtail_object_id__isnull=False, is_deleted=False)),
        )
        .order_by("sys_type", "content_type")
    )
    failing = list(
        ContentfulRecord.objects.exclude(apply_error="").order_by("-last_seen_at")[:ERRORS_SHOWN]
    )
    return SyncOverview(
        state=state,
        runs=list(ContentfulSyncRun.objects.all()[:RECENT_RUNS]),
        counts_by_type=counts,
        failing_records=failing,
        total_records=sum(row["total"] for row in counts),
        deleted_records=sum(row["total"] - row["live"] for row in counts),
    )
