"""What crosses the KYC boundary: frozen dataclasses only, no vendor objects. Only
identity data goes out (names, date of birth, country, document number): never health
data or anything about a practitioner's clients."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class KycError(Exception):
    """A check could not be started or its result fetched (bad input, vendor down). The
    message is safe to show and log: it never holds a secret or personal data.
    `entity_id` is the vendor's id of a person created before the failure (so a caller
    can reuse it rather than create the person twice); `retryable` says whether the
    same call may succeed later (network, timeouts, 429, 5xx)."""

    def __init__(self, message: str, *, entity_id: str = "", retryable: bool = False):
        super().__init__(message)
        self.entity_id = entity_id
        self.retryable = retryable


class WebhookSignatureError(Exception):
    """A KYC webhook whose signature, timestamp or body does not verify."""


class KycOutcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    NEEDS_REVIEW = "needs_review"


@dataclass(frozen=True)
class KycPerson:
    given_name: str
    family_name: str
    date_of_birth: date
    country: str  # ISO 3166-1 alpha-2
    document_number: str
    # Our own id for the person (the user's primary key), sent as the vendor's external
    # reference so a check can be traced back to one login.
    user_reference: str = ""
    # The kind of document the number is from, as FrankieOne names it (PASSPORT,
    # DRIVERS_LICENSE, NATIONAL_ID, ...).
    document_type: str = "PASSPORT"


@dataclass(frozen=True)
class KycCheck:
    check_id: str
    status: str  # "pending" until the result arrives
    # The vendor's ids, kept on our case (empty for the offline adapter): the person
    # (reused for a later check of the same person), the request that started the check.
    entity_id: str = ""
    request_id: str = ""


@dataclass(frozen=True)
class KycCheckRef:
    """What identifies one started check, read from our case: enough for the adapter to
    fetch its result again."""

    reference: str
    check_id: str
    entity_id: str = ""


@dataclass(frozen=True)
class KycResult:
    """One result event as delivered to /webhooks/kyc/. `occurred_at` orders events: a
    receiver applies an event only if it is newer than the last one it applied."""

    event_id: str
    check_id: str
    reference: str
    outcome: KycOutcome
    occurred_at: datetime
    reasons: tuple[str, ...] = field(default=())

    def to_json(self) -> bytes:
        return json.dumps(
            {
                "event_id": self.event_id,
                "type": "kyc.check.completed",
                "check_id": self.check_id,
                "reference": self.reference,
                "outcome": str(self.outcome),
                "reasons": list(self.reasons),
                "occurred_at": self.occurred_at.isoformat(),
            },
            sort_keys=True,
        ).encode()

    @classmethod
    def from_json(cls, body: bytes) -> KycResult:
        """Parses a verified body; raises ValueError for anything malformed."""
        try:
            data = json.loads(body.decode("utf-8"))
            if not isinstance(data, dict) or data.get("type") != "kyc.check.completed":
                raise ValueError("not a kyc.check.completed event")
            reasons = data.get("reasons") or []
            if not isinstance(reasons, list) or not all(isinstance(r, str) for r in reasons):
                raise ValueError("reasons must be a list of strings")
            occurred_at = datetime.fromisoformat(data["occurred_at"])
            if occurred_at.tzinfo is None:
                raise ValueError("occurred_at needs a UTC offset")
            for name in ("event_id", "check_id", "reference"):
                value = data[name]
                if not isinstance(value, str) or not value or len(value) > 255:
                    raise ValueError(f"{name} must be a non-empty string")
            return cls(
                event_id=data["event_id"],
                check_id=data["check_id"],
                reference=data["reference"],
                outcome=KycOutcome(data["outcome"]),
                occurred_at=occurred_at,
                reasons=tuple(reasons),
            )
        except (KeyError, TypeError, UnicodeDecodeError) as error:
            raise ValueError(f"malformed KYC event: {error}") from error
