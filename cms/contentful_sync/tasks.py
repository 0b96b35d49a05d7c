"""Thin Celery task around `contentful_sync_run`."""

import logging
import random

from celery import shared_task
from django.conf import settings

logger = logging.getLogger(__name__)

# Contentful's reset is at most an hour; a bit of jitter spreads workers that were
# rate-limited together.
MAX_COUNTDOWN_SECONDS = 3600
BUSY_COUNTDOWN_SECONDS = 60


def rate_limit_countdown(reset_seconds: int) -> int:
    """Seconds to wait after a 429: Contentful's reset plus up to 20 % (at least 1 s)."""
    base = max(1, reset_seconds)
    return min(MAX_COUNTDOWN_SECONDS, base + random.randint(0, max(1, base // 5)))  # noqa: S311


@shared_task(
    name="cms.contentful_sync.tasks.contentful_sync_task",
    bind=True,
    max_retries=None,  # bounded below per cause
    acks_late=True,
)
def contentful_sync_task(self, full: bool = False, trigger: str = "task") -> str:
    """Runs one sync. A 429 comes back after Contentful's reset time, up to
    CONTENTFUL_MAX_RATE_LIMIT_RETRIES times in a row; outages back off exponentially.
    Errors that retrying cannot fix (a bad token) stay on the state row for staff. The
    run resumes from the token stored page by page, so a retry never starts over."""
    from cms.contentful_sync.services import contentful_sync_request_started, contentful_sync_run
    from integrations.contentful.types import (
        ContentfulError,
        ContentfulRateLimited,
        ContentfulUnavailable,
    )

    contentful_sync_request_started()
    retries = self.request.retries or 0
    cap = settings.CONTENTFUL_MAX_RATE_LIMIT_RETRIES
    try:
        run = contentful_sync_run(full=full and retries == 0, trigger=trigger)
    except ContentfulRateLimited as error:
        # Run eagerly (the embedded default) a retry would run at once, in the request:
        # leave it to the next request or "Sync now", as the state row says.
        if self.request.is_eager or retries >= cap:
            logger.warning("contentful sync rate-limited (%s retries so far)", retries)
            return "rate_limited"
        raise self.retry(
            countdown=rate_limit_countdown(error.reset_seconds),
            kwargs={"full": False, "trigger": trigger},
        ) from error
    except ContentfulUnavailable as error:
        if self.request.is_eager or retries >= cap:
            return "failed"
        raise self.retry(
            countdown=min(MAX_COUNTDOWN_SECONDS, 30 * 2**retries),
            kwargs={"full": False, "trigger": trigger},
        ) from error
    except ContentfulError:
        # Recorded on the state row; retrying cannot fix it.
        return "failed"
    if run is None:
        if self.request.is_eager or retries >= cap:
            return "busy"
        # Another run holds the lease; changes behind this request must not wait for beat.
        raise self.retry(
            countdown=BUSY_COUNTDOWN_SECONDS, kwargs={"full": full, "trigger": trigger}
        )
    return run.outcome
