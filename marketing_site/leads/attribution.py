"""First- and last-touch attribution kept in a signed cookie.

A touch is recorded only when a request carries UTM parameters or comes from another
site, so browsing our own pages never overwrites where someone came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.core import signing
from django.http import HttpRequest
from django.utils import timezone

ATTRIBUTION_COOKIE = "aeyia_attribution"
LEAD_COOKIE = "aeyia_lead"
COOKIE_SALT = "leads.attribution"
LEAD_COOKIE_SALT = "leads.lead-cookie"
COOKIE_MAX_AGE = 90 * 24 * 3600
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
MAX_VALUE_LENGTH = 120


def _clip(value: Any, length: int = MAX_VALUE_LENGTH) -> str:
    return str(value or "").strip()[:length]


def external_referrer(request: HttpRequest) -> str:
    """The Referer when it is another site's http(s) URL, else ''."""
    referrer = request.META.get("HTTP_REFERER", "")
    try:
        parts = urlsplit(referrer)
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    if parts.hostname == request.get_host().split(":")[0]:
        return ""
    return referrer[:500]


def touch_from_request(request: HttpRequest) -> dict[str, str] | None:
    """The touch this request represents, or None when it carries no attribution."""
    utm = {key: _clip(request.GET.get(key)) for key in UTM_KEYS}
    utm = {key: value for key, value in utm.items() if value}
    referrer = external_referrer(request)
    if not utm and not referrer:
        return None
    return {
        **utm,
        "referrer": referrer,
        "landing_page": request.path[:255],
        "at": timezone.now().isoformat(),
    }


@dataclass(frozen=True)
class Attribution:
    first_touch: dict[str, str] = field(default_factory=dict)
    last_touch: dict[str, str] = field(default_factory=dict)

    @property
    def source(self) -> str:
        """Where the person first came from: utm_source, else the referring host."""
        touch = self.first_touch or self.last_touch
        if touch.get("utm_source"):
            return _clip(touch["utm_source"]).lower()
        referrer = touch.get("referrer", "")
        host = urlsplit(referrer).hostname if referrer else ""
        if host:
            return host.removeprefix("www.")[:MAX_VALUE_LENGTH]
        return "direct"

    @property
    def campaign(self) -> str:
        touch = self.first_touch or self.last_touch
        return _clip(touch.get("utm_campaign"))

    def as_cookie(self) -> str:
        return signing.dumps(
            {"f": self.first_touch, "l": self.last_touch}, salt=COOKIE_SALT, compress=True
        )


def _clean_touch(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    allowed = (*UTM_KEYS, "referrer", "landing_page", "at")
    return {key: _clip(value[key], 500) for key in allowed if value.get(key)}


def attribution_from_request(request: HttpRequest) -> Attribution:
    """What the cookie says, plus this request's own touch (a form post may itself carry
    UTM parameters)."""
    raw = request.COOKIES.get(ATTRIBUTION_COOKIE, "")
    first: dict[str, str] = {}
    last: dict[str, str] = {}
    if raw:
        try:
            data = signing.loads(raw, salt=COOKIE_SALT, max_age=COOKIE_MAX_AGE)
        except (signing.BadSignature, ValueError, TypeError):
            data = {}
        if isinstance(data, dict):
            first = _clean_touch(data.get("f"))
            last = _clean_touch(data.get("l"))
    touch = touch_from_request(request)
    if touch:
        first = first or touch
        last = touch
    return Attribution(first_touch=first, last_touch=last)


def lead_cookie_value(public_id: str) -> str:
    return signing.dumps(str(public_id), salt=LEAD_COOKIE_SALT)


def lead_id_from_request(request: HttpRequest) -> str | None:
    raw = request.COOKIES.get(LEAD_COOKIE, "")
    if not raw:
        return None
    try:
        value = signing.loads(raw, salt=LEAD_COOKIE_SALT, max_age=COOKIE_MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return value if isinstance(value, str) else None
