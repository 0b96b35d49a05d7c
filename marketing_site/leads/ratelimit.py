"""Per-address rate limit for lead submissions (LEADS_RATE_LIMIT, e.g. "5/10m"): a
fixed-window counter in the shared cache, so every web process counts together.

It fails closed: when the cache is down the count cannot be kept, and a form that let
everything through would be open to floods for as long as the outage lasts, so the
submission is refused with "try again shortly" (decision 0019)."""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import re
import time
from dataclasses import dataclass

from allauth import app_settings as allauth_settings
from allauth.account.adapter import get_adapter
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, PermissionDenied

from config.cache_backend import CacheUnavailable, cache_required

logger = logging.getLogger(__name__)

RATE_PATTERN = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    limit: int
    period_seconds: int


def parse_rate(value: str) -> Rate:
    """ "5/10m" → 5 per 600 s; "20/h" → 20 per 3600 s."""
    match = RATE_PATTERN.match(value or "")
    if not match:
        raise ImproperlyConfigured(f"LEADS_RATE_LIMIT {value!r} is not like '5/10m'.")
    count, multiplier, unit = match.groups()
    return Rate(limit=int(count), period_seconds=int(multiplier or 1) * UNIT_SECONDS[unit])


def client_address(request) -> str:
    """The visitor's address by allauth's rule (ALLAUTH_TRUSTED_PROXY_COUNT, set from
    TRUSTED_PROXY_COUNT), so a sign-up form and a sign-in count the same person: with N
    trusted proxies, the N-th X-Forwarded-For entry from the right; REMOTE_ADDR otherwise.

    allauth refuses a request whose trusted hop is not an address (and our adapter counts
    one with too few hops against its peer). Through the proxies as configured that cannot
    happen (our outermost proxy wrote that hop), so such a request is counted against the
    peer that sent it, REMOTE_ADDR, instead of failing: one bucket shared by all of them,
    so garbage in the header never buys a fresh one."""
    try:
        return get_adapter(request).get_client_ip(request)
    except PermissionDenied as error:
        logger.warning(
            "Client address from X-Forwarded-For refused (%s); using REMOTE_ADDR.", error
        )
        return request.META.get("REMOTE_ADDR", "") or "unknown"


def rate_key_address(address: str) -> str:
    """What one visitor is counted as: an IPv4 address, or an IPv6 address's /64 network
    (ALLAUTH_RATE_LIMIT_IPV6_PREFIX, as allauth counts sign-ins), because one subscriber
    usually holds a whole /64 and could otherwise take a fresh address per submission."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        prefix = allauth_settings.RATE_LIMIT_IPV6_PREFIX
        return str(ipaddress.ip_network(f"{parsed}/{prefix}", strict=False))
    return str(parsed)


# How long to ask people to wait when the cache is down.
UNAVAILABLE_RETRY_AFTER_SECONDS = 30


@dataclass(frozen=True)
class RateDecision:
    is_allowed: bool
    retry_after: int
    # False when the count could not be kept (the cache is down): refused for that reason.
    is_counted: bool = True


def lead_rate_limit_hit(request) -> RateDecision:
    """Counts this sign-up against the caller's address (LEADS_RATE_LIMIT); refuses once
    over the limit, and also when the count cannot be kept (`is_counted` is then False)."""
    return _rate_limit_hit(request, scope="leads", rate=parse_rate(settings.LEADS_RATE_LIMIT))


def contact_rate_limit_hit(request) -> RateDecision:
    """Counts a message sent through a form page (the contact page) against the caller's
    address, apart from sign-ups (CONTACT_FORM_RATE_LIMIT)."""
    return _rate_limit_hit(
        request, scope="contact", rate=parse_rate(settings.CONTACT_FORM_RATE_LIMIT)
    )


def _rate_limit_hit(request, *, scope: str, rate: Rate) -> RateDecision:
    now = int(time.time())
    window = now // rate.period_seconds
    address = hashlib.sha256(rate_key_address(client_address(request)).encode()).hexdigest()[:32]
    key = f"{scope}:rate:{address}:{window}"
    try:
        with cache_required():
            cache.add(key, 0, timeout=rate.period_seconds + 5)
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, timeout=rate.period_seconds + 5)
                count = 1
    except CacheUnavailable:
        logger.warning("Lead submission refused: the rate-limit cache is unavailable.")
        return RateDecision(
            is_allowed=False, retry_after=UNAVAILABLE_RETRY_AFTER_SECONDS, is_counted=False
        )
    retry_after = (window + 1) * rate.period_seconds - now
    return RateDecision(is_allowed=count <= rate.limit, retry_after=max(retry_after, 1))
