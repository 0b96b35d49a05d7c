"""Back-off for stored inbound webhook events that are processed again (Stripe, KYC,
Typeform): each app keeps `status`, `attempts` and `next_attempt_at` on its event row and
a beat task re-drives the rows that are due. Shared here so every intake backs off and
re-drives the same way."""

from collections.abc import Callable, Collection
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

# A freshly stored event is processed after commit through the outbox; the re-drive leaves
# it alone this long first.
REDRIVE_GRACE = timedelta(minutes=5)
# 1, 2, 4 … minutes, at most 6 hours apart; after MAX_ATTEMPTS the row stays failed for
# staff to re-process by hand (Wagtail admin → Payments → Stripe events, or the KYC log).
RETRY_BASE = timedelta(minutes=1)
RETRY_CAP = timedelta(hours=6)
MAX_ATTEMPTS = 10
REDRIVE_BATCH_SIZE = 50


def next_attempt_after_failure(attempts: int, *, now: datetime | None = None) -> datetime:
    """When a row that has failed `attempts` times is due again."""
    delay = min(RETRY_BASE * 2 ** max(attempts - 1, 0), RETRY_CAP)
    return (now or timezone.now()) + delay


def first_redrive_at(*, now: datetime | None = None) -> datetime:
    return (now or timezone.now()) + REDRIVE_GRACE


def is_due(row, *, statuses: Collection[str], now: datetime) -> bool:
    """Whether a locked event row is still due for the re-drive: in one of the
    re-drivable `statuses`, under MAX_ATTEMPTS, and its next attempt has come."""
    return (
        row.status in statuses
        and row.attempts < MAX_ATTEMPTS
        and (row.next_attempt_at is None or row.next_attempt_at <= now)
    )


def redrive(
    events: QuerySet,
    *,
    statuses: Collection[str],
    process: Callable[[int], object],
    limit: int = REDRIVE_BATCH_SIZE,
) -> int:
    """Beat: calls `process(pk)` for up to `limit` rows of `events` that are due, oldest
    first. `process` must lock the row and check `is_due` again (another worker may have
    taken it), so each event is still processed once. Returns how many were handed over."""
    now = timezone.now()
    event_ids = list(
        events.filter(status__in=statuses, attempts__lt=MAX_ATTEMPTS)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for event_id in event_ids:
        process(event_id)
    return len(event_ids)
