"""The offline Klaviyo (DESIGN.md §4 `local`): nothing leaves the process.

`LocalKlaviyo` keeps what Klaviyo would hold — profiles by email with deterministic ids,
list subscriptions, events deduplicated on `unique_id`, deletion requests — and records
every request body in `LocalKlaviyo.requests` (like Django's `mail.outbox`), built by the
same `payloads` functions the live adapter sends. It also keeps Klaviyo's global email
suppressions: `suppress()` plays a person unsubscribing, bouncing or complaining in
Klaviyo (tests, the demo), an unsubscription through the port adds one the way Klaviyo
does, and `suppressions_since` pages through them like get_profiles. `fail_next()`
makes the next calls of an operation fail the way Klaviyo does (a 429 with or without
Retry-After, a 5xx, a 400), so the retry path can be exercised offline. Tests call
`LocalKlaviyo.reset()`.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

from integrations.klaviyo import payloads
from integrations.klaviyo.types import (
    KlaviyoError,
    KlaviyoEvent,
    KlaviyoProfile,
    KlaviyoSubscription,
    KlaviyoSuppression,
    KlaviyoSuppressionPage,
    KlaviyoUnsubscription,
    SyncedProfile,
)


@dataclass(frozen=True)
class LocalRequest:
    """One request as it would have gone to Klaviyo."""

    operation: str
    body: dict[str, Any]


@dataclass
class LocalProfile:
    profile_id: str
    attributes: dict[str, Any]
    lists: set[str] = field(default_factory=set)
    events: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _ScriptedFailure:
    status: int
    retry_after: float | None
    remaining: int


def _profile_id(email: str) -> str:
    return "01LOCAL" + hashlib.sha256(email.lower().encode()).hexdigest()[:19].upper()


class LocalKlaviyo:
    """Holds Klaviyo's side in class-level state, shared by every instance in the
    process (the factory caches one, tests may make their own)."""

    requests: ClassVar[list[LocalRequest]] = []
    profiles: ClassVar[dict[str, LocalProfile]] = {}
    event_ids: ClassVar[set[str]] = set()
    deletions: ClassVar[list[str]] = []
    unsubscriptions: ClassVar[list[str]] = []
    suppressions: ClassVar[dict[str, KlaviyoSuppression]] = {}
    _failures: ClassVar[dict[str, _ScriptedFailure]] = {}
    _lock: ClassVar[threading.RLock] = threading.RLock()

    # ---- test and demo controls ----

    @classmethod
    def reset(cls) -> None:
        with cls._lock:
            cls.requests.clear()
            cls.profiles.clear()
            cls.event_ids.clear()
            cls.deletions.clear()
            cls.unsubscriptions.clear()
            cls.suppressions.clear()
            cls._failures.clear()

    @classmethod
    def fail_next(
        cls, operation: str, *, status: int = 429, retry_after: float | None = None, times: int = 1
    ) -> None:
        """The next `times` calls of `operation` (profile_upsert, list_subscribe,
        event_create, profile_delete, list_unsubscribe, suppressions_since) fail with
        this HTTP status."""
        with cls._lock:
            cls._failures[operation] = _ScriptedFailure(status, retry_after, times)

    @classmethod
    def suppress(
        cls, email: str, *, reason: str = "UNSUBSCRIBE", at: datetime | None = None
    ) -> KlaviyoSuppression:
        """Klaviyo suppresses this address now (or `at`): the person unsubscribed from a
        Klaviyo email, it bounced, they marked it as spam, or staff suppressed it there.
        The profile leaves every list."""
        suppression = KlaviyoSuppression(
            email=email, reason=reason, suppressed_at=at or datetime.now(UTC)
        )
        with cls._lock:
            cls.suppressions[suppression.email.lower()] = suppression
            stored = cls.profiles.get(suppression.email.lower())
            if stored is not None:
                stored.lists.clear()
        return suppression

    @classmethod
    def requests_for(cls, operation: str) -> list[dict[str, Any]]:
        return [request.body for request in cls.requests if request.operation == operation]

    def _call(self, operation: str, body: dict[str, Any]) -> None:
        failure = self._failures.get(operation)
        if failure and failure.remaining > 0:
            failure.remaining -= 1
            raise KlaviyoError(
                f"Local Klaviyo answered {failure.status} to {operation}.",
                status=failure.status,
                retryable=failure.status == 429 or failure.status >= 500,
                retry_after=failure.retry_after,
            )
        self.requests.append(LocalRequest(operation=operation, body=body))

    def _profile(self, email: str) -> tuple[LocalProfile, bool]:
        key = email.lower()
        existing = self.profiles.get(key)
        if existing is not None:
            return existing, False
        profile = LocalProfile(profile_id=_profile_id(email), attributes={"email": email})
        self.profiles[key] = profile
        return profile, True

    # ---- the port ----

    def profile_upsert(self, *, profile: KlaviyoProfile) -> SyncedProfile:
        body = payloads.profile_upsert_body(profile)
        with self._lock:
            self._call("profile_upsert", body)
            stored, created = self._profile(profile.email)
            attributes = dict(body["data"]["attributes"])
            properties = {
                **stored.attributes.get("properties", {}),
                **attributes.pop("properties", {}),
            }
            stored.attributes.update(attributes)
            if properties:
                stored.attributes["properties"] = properties
            return SyncedProfile(profile_id=stored.profile_id, email=profile.email, created=created)

    def list_subscribe(self, *, subscription: KlaviyoSubscription) -> None:
        body = payloads.subscription_body(subscription)
        with self._lock:
            self._call("list_subscribe", body)
            stored, _created = self._profile(subscription.email)
            stored.lists.add(subscription.list_id)
            # A new subscription lifts an unsubscribe, not a bounce or a complaint.
            existing = self.suppressions.get(subscription.email.lower())
            if existing is not None and existing.reason in {"UNSUBSCRIBE", "USER_SUPPRESSED"}:
                del self.suppressions[subscription.email.lower()]

    def event_create(self, *, event: KlaviyoEvent) -> None:
        body = payloads.event_body(event)
        with self._lock:
            self._call("event_create", body)
            if event.unique_id in self.event_ids:
                return
            self.event_ids.add(event.unique_id)
            stored, _created = self._profile(event.email)
            stored.events.append(event.as_dict())

    def profile_delete(self, *, email: str) -> None:
        body = payloads.profile_deletion_body(email)
        with self._lock:
            self._call("profile_delete", body)
            self.profiles.pop(email.lower(), None)
            self.deletions.append(email)

    def list_unsubscribe(self, *, unsubscription: KlaviyoUnsubscription) -> None:
        body = payloads.unsubscription_body(unsubscription)
        with self._lock:
            self._call("list_unsubscribe", body)
            self.unsubscriptions.append(unsubscription.email)
            if unsubscription.email.lower() not in self.suppressions:
                self.suppress(unsubscription.email, reason="UNSUBSCRIBE")
            stored = self.profiles.get(unsubscription.email.lower())
            if stored is not None:
                stored.lists.clear()

    def suppressions_since(self, *, since: datetime, cursor: str = "") -> KlaviyoSuppressionPage:
        body = {
            "filter": payloads.suppressions_filter(since),
            "page[cursor]": cursor,
            "page[size]": payloads.SUPPRESSION_PAGE_SIZE,
        }
        with self._lock:
            self._call("suppressions_since", body)
            newer = sorted(
                (item for item in self.suppressions.values() if item.suppressed_at >= since),
                key=lambda item: (item.suppressed_at, item.email),
            )
        offset = int(cursor) if cursor.isdigit() else 0
        end = offset + payloads.SUPPRESSION_PAGE_SIZE
        return KlaviyoSuppressionPage(
            suppressions=tuple(newer[offset:end]),
            next_cursor=str(end) if end < len(newer) else "",
        )
