"""Back-off for stored inbound webhook events that are processed again (Stripe, KYC):
each app keeps `attempts` and `next_attempt_at` on its event row and a beat task re-drives
the rows that are due. Shared here so every intake backs off the same way."""

from datetime import datetime, timedelta

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
