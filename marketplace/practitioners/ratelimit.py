"""A fixed-window count of application submissions per client address, in the shared
cache (every web process counts together). It fails closed like the other form limits
(decision 0019): when the count cannot be kept the submission is refused with "try again
shortly"."""

import hashlib
import logging
import time
from dataclasses import dataclass

from allauth.account.adapter import get_adapter
from django.core.cache import cache
from django.core.exceptions import PermissionDenied

from config.cache_backend import CacheUnavailable, cache_required

logger = logging.getLogger(__name__)

APPLICATION_LIMIT = 10
APPLICATION_PERIOD_SECONDS = 3600
UNAVAILABLE_RETRY_AFTER_SECONDS = 30


@dataclass(frozen=True)
class RateDecision:
    is_allowed: bool
    retry_after: int


def _client_address(request) -> str:
    try:
        return get_adapter(request).get_client_ip(request)
    except PermissionDenied:
        return request.META.get("REMOTE_ADDR", "") or "unknown"


def application_rate_limit_hit(request) -> RateDecision:
    """Counts one application submission against the caller's address."""
    now = int(time.time())
    window = now // APPLICATION_PERIOD_SECONDS
    address = hashlib.sha256(_client_address(request).encode()).hexdigest()[:32]
    key = f"practise-apply:rate:{address}:{window}"
    try:
        with cache_required():
            cache.add(key, 0, timeout=APPLICATION_PERIOD_SECONDS + 5)
            try:
                count = cache.incr(key)
            except ValueError:
                cache.set(key, 1, timeout=APPLICATION_PERIOD_SECONDS + 5)
                count = 1
    except CacheUnavailable:
        logger.warning("Application refused: the rate-limit cache is unavailable.")
        return RateDecision(is_allowed=False, retry_after=UNAVAILABLE_RETRY_AFTER_SECONDS)
    retry_after = (window + 1) * APPLICATION_PERIOD_SECONDS - now
    return RateDecision(is_allowed=count <= APPLICATION_LIMIT, retry_after=max(retry_after, 1))
