"""The offline Klaviyo (DESIGN.md §4 `local`): nothing leaves the process.

`LocalKlaviyo` keeps what Klaviyo would hold — profiles by email with deterministic ids,
list subscriptions, events deduplicated on `unique_id`, deletion requests — and records
every request body in `LocalKlaviyo.requests` (like Django's `mail.outbox`), built by the
same `payloads` functions the live adapter sends. `fail_next()` makes the next calls of
an operation fail the way Klaviyo does (a 429 with or without Retry-After, a 5xx, a
400), so the retry path can be exercised offline. Tests call `LocalKlaviyo.reset()`.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from typing import Any, ClassVar

from integrations.klaviyo import payloads
from integrations.klaviyo.types import (
    KlaviyoError,
    KlaviyoEvent,
    KlaviyoProfile,
    KlaviyoSubscription,
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
            cls._failures.clear()

    @classmethod
    def fail_next(
        cls, operation: str, *, status: int = 429, retry_after: float | None = None, times: int = 1
    ) -> None:
        """The next `times` calls of `operation` (profile_upsert, list_subscribe,
        event_create, profile_delete) fail with this HTTP status."""
        with cls._lock:
            cls._failures[operation] = _ScriptedFailure(status, retry_after, times)

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
