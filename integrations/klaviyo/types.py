"""Values that cross the Klaviyo boundary. SDK objects never leave `live.py`.

The allow-list lives here and only here: every value sent to Klaviyo is one of these
dataclasses, and their constructors drop any property that is not allow-listed. Health
information (intake answers, modalities, notes, anything about a session's content) is
never on the list, so it cannot leave even if a caller passes it by mistake.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

# Custom profile properties we may store in Klaviyo (marketing attribution only).
ALLOWED_PROFILE_PROPERTIES = frozenset(
    {
        "lead_source",
        "lead_status",
        "interest",
        "utm_source",
        "utm_medium",
        "utm_campaign",
        "utm_term",
        "utm_content",
        "first_touch_source",
        "first_touch_campaign",
        "signed_up_at",
        "member_since",
    }
)

# Event properties we may send with a metric. Ids and titles of things bought or
# finished, never what was discussed or why.
ALLOWED_EVENT_PROPERTIES = frozenset(
    {
        "source_page",
        "interest",
        "utm_source",
        "utm_medium",
        "utm_campaign",
        "utm_term",
        "utm_content",
        "signup_method",
        "plan",
        "plan_name",
        "billing_interval",
        "currency",
        "amount_minor",
        "booking_reference",
        "starts_at",
        "duration_minutes",
        "course",
        "course_title",
        "certificate_code",
    }
)

METRICS = frozenset(
    {"Lead Captured", "Signed Up", "Membership Started", "Session Booked", "Course Completed"}
)

_SCALAR_TYPES = (str, int, float, bool)
_EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def allowed_properties(properties: Mapping[str, Any], allowed: frozenset[str]) -> dict[str, Any]:
    """Keeps allow-listed keys with plain scalar values (nested values could smuggle
    anything past the list) and drops empty strings and None."""
    kept: dict[str, Any] = {}
    for key, value in properties.items():
        if key not in allowed or value is None or value == "":
            continue
        if isinstance(value, datetime):
            value = value.astimezone(UTC).isoformat()
        if not isinstance(value, _SCALAR_TYPES):
            continue
        kept[key] = value
    return kept


class KlaviyoError(Exception):
    """Klaviyo refused the request or could not be reached. `retryable` says whether a
    later attempt may succeed (429, 5xx, network); `retry_after` is the server's
    Retry-After in seconds when it sent one."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 0,
        retryable: bool = False,
        retry_after: float | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.retryable = retryable
        self.retry_after = retry_after


class InvalidKlaviyoData(KlaviyoError, ValueError):
    """A value we were about to send is not acceptable (not retryable)."""


def _check_email(email: str) -> str:
    email = (email or "").strip()
    if not _EMAIL_PATTERN.match(email):
        raise InvalidKlaviyoData(f"{email!r} is not an email address.")
    return email


@dataclass(frozen=True)
class KlaviyoProfile:
    """A person as Klaviyo knows them: email is the identifier; `external_id` is our
    own stable reference (the lead's public id), never a database primary key."""

    email: str
    first_name: str = ""
    last_name: str = ""
    external_id: str = ""
    properties: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "email", _check_email(self.email))
        kept = allowed_properties(self.properties, ALLOWED_PROFILE_PROPERTIES)
        object.__setattr__(self, "properties", MappingProxyType(kept))

    def as_dict(self) -> dict[str, Any]:
        return {
            "email": self.email,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "external_id": self.external_id,
            "properties": dict(self.properties),
        }


@dataclass(frozen=True)
class KlaviyoEvent:
    """One metric occurrence for a person. Klaviyo dedupes on `unique_id`, so sending
    the same event twice (a retried task) records it once."""

    email: str
    metric: str
    unique_id: str
    time: datetime
    properties: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "email", _check_email(self.email))
        if self.metric not in METRICS:
            raise InvalidKlaviyoData(f"{self.metric!r} is not a metric we send.")
        if not self.unique_id:
            raise InvalidKlaviyoData("An event needs a unique_id.")
        if self.time.tzinfo is None:
            raise InvalidKlaviyoData("Event times must be timezone-aware.")
        kept = allowed_properties(self.properties, ALLOWED_EVENT_PROPERTIES)
        object.__setattr__(self, "properties", MappingProxyType(kept))

    def as_dict(self) -> dict[str, Any]:
        return {
            "email": self.email,
            "metric": self.metric,
            "unique_id": self.unique_id,
            "time": self.time.astimezone(UTC).isoformat(),
            "properties": dict(self.properties),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> KlaviyoEvent:
        return cls(
            email=data["email"],
            metric=data["metric"],
            unique_id=data["unique_id"],
            time=datetime.fromisoformat(data["time"]),
            properties=data.get("properties") or {},
        )


@dataclass(frozen=True)
class KlaviyoSubscription:
    """Email marketing consent for one person on one list, given at `consented_at`
    (after double opt-in)."""

    email: str
    list_id: str
    consented_at: datetime
    source: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "email", _check_email(self.email))
        if not self.list_id:
            raise InvalidKlaviyoData("A subscription needs a list id.")
        if self.consented_at.tzinfo is None:
            raise InvalidKlaviyoData("Consent times must be timezone-aware.")

    def as_dict(self) -> dict[str, Any]:
        return {
            "email": self.email,
            "list_id": self.list_id,
            "consented_at": self.consented_at.astimezone(UTC).isoformat(),
            "source": self.source,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> KlaviyoSubscription:
        return cls(
            email=data["email"],
            list_id=data["list_id"],
            consented_at=datetime.fromisoformat(data["consented_at"]),
            source=data.get("source", ""),
        )


def profile_from_dict(data: Mapping[str, Any]) -> KlaviyoProfile:
    return KlaviyoProfile(
        email=data["email"],
        first_name=data.get("first_name", ""),
        last_name=data.get("last_name", ""),
        external_id=data.get("external_id", ""),
        properties=data.get("properties") or {},
    )


@dataclass(frozen=True)
class SyncedProfile:
    """Klaviyo's id for a profile we created or updated."""

    profile_id: str
    email: str
    created: bool


# The reasons Klaviyo gives for a global email-marketing suppression
# (EmailMarketingSuppression.reason in get_profiles). A reason Klaviyo adds later is
# kept as given; the leads app maps what it does not know to "unsubscribed in Klaviyo".
SUPPRESSION_REASONS = frozenset(
    {"HARD_BOUNCE", "INVALID_EMAIL", "SPAM_COMPLAINT", "UNSUBSCRIBE", "USER_SUPPRESSED"}
)


@dataclass(frozen=True)
class KlaviyoUnsubscription:
    """Withdrawn email-marketing consent for one person. With a `list_id` the profile is
    also removed from that list (Klaviyo unsubscribes globally either way)."""

    email: str
    list_id: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "email", _check_email(self.email))

    def as_dict(self) -> dict[str, Any]:
        return {"email": self.email, "list_id": self.list_id}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> KlaviyoUnsubscription:
        return cls(email=data["email"], list_id=data.get("list_id", ""))


@dataclass(frozen=True)
class KlaviyoSuppression:
    """One person Klaviyo no longer sends marketing email to, why, and since when. Only
    these three fields cross the boundary: nothing else of the profile is kept."""

    email: str
    reason: str
    suppressed_at: datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "email", _check_email(self.email))
        object.__setattr__(self, "reason", (self.reason or "").strip().upper())
        if not self.reason:
            raise InvalidKlaviyoData("A suppression needs a reason.")
        if self.suppressed_at.tzinfo is None:
            raise InvalidKlaviyoData("Suppression times must be timezone-aware.")


@dataclass(frozen=True)
class KlaviyoSuppressionPage:
    """One page of suppressed profiles, oldest first. `next_cursor` is empty on the
    last page."""

    suppressions: tuple[KlaviyoSuppression, ...]
    next_cursor: str = ""
