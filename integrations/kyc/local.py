"""The offline KYC adapter (DESIGN.md §4 `local`): decides every check by fixed rules on
the inputs, records its calls, and delivers the result as a signed webhook into the same
intake path the live vendor would reach (settings.KYC_LOCAL_WEBHOOK_RECEIVER), after the
caller's transaction commits.

Rules, first match wins (the document number is compared trimmed and upper-cased):
- a document number starting "FAIL" → failed, reason "document_not_verified";
- a person under 18 on the day of the check → failed, reason "under_minimum_age";
- a document number starting "REVIEW" → needs_review, reason "manual_review_requested";
- anything else → passed.
Bad input (an empty name or document number, a country that is not two letters, a birth
date in the future) raises KycError at once, as a vendor's 400 would.

Ids are deterministic: the check id is derived from our reference (so starting the same
reference twice returns the same check and delivers nothing new), the event id from the
check id and the delivery number. `fetch_result` answers with the latest result decided or
delivered for a check, as the vendor's API would (the offline adapter has no vendor-side
person, so `entity_id` is accepted and ignored)."""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import ClassVar

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from integrations.kyc.signatures import sign
from integrations.kyc.types import (
    KycCheck,
    KycCheckRef,
    KycError,
    KycOutcome,
    KycPerson,
    KycResult,
)

logger = logging.getLogger(__name__)

MINIMUM_AGE = 18
COUNTRY = re.compile(r"^[A-Z]{2}$")


@dataclass(frozen=True)
class LocalKycCall:
    reference: str
    person: KycPerson
    check_id: str


@dataclass(frozen=True)
class LocalKycDelivery:
    result: KycResult
    is_delivered: bool
    error: str = ""


def decide(person: KycPerson, *, today: date) -> tuple[KycOutcome, tuple[str, ...]]:
    """The rules above, as a pure function."""
    document = person.document_number.strip().upper()
    if document.startswith("FAIL"):
        return KycOutcome.FAILED, ("document_not_verified",)
    birthday_passed = (today.month, today.day) >= (
        person.date_of_birth.month,
        person.date_of_birth.day,
    )
    age = today.year - person.date_of_birth.year - (0 if birthday_passed else 1)
    if age < MINIMUM_AGE:
        return KycOutcome.FAILED, ("under_minimum_age",)
    if document.startswith("REVIEW"):
        return KycOutcome.NEEDS_REVIEW, ("manual_review_requested",)
    return KycOutcome.PASSED, ()


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:20]


class LocalKyc:
    """Decides by rule and calls back through the webhook path. `calls` and
    `deliveries` record what happened, like Django's `mail.outbox`; tests call
    `LocalKyc.reset()` to start clean."""

    calls: ClassVar[list[LocalKycCall]] = []
    deliveries: ClassVar[list[LocalKycDelivery]] = []
    _checks: ClassVar[dict[str, KycCheck]] = {}
    # The latest result decided or delivered per check id (what fetch_result reads).
    _results: ClassVar[dict[str, KycResult]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def start_check(self, *, reference: str, person: KycPerson, entity_id: str = "") -> KycCheck:
        if not reference:
            raise KycError("A reference is required.")
        if not (
            person.given_name.strip()
            and person.family_name.strip()
            and person.document_number.strip()
        ):
            raise KycError("Names and a document number are required.")
        if not COUNTRY.match(person.country):
            raise KycError("The country must be an ISO 3166-1 alpha-2 code.")
        today = timezone.now().date()
        if person.date_of_birth > today:
            raise KycError("The date of birth is in the future.")
        with self._lock:
            existing = self._checks.get(reference)
            if existing is not None:
                return existing
            check = KycCheck(check_id=f"kyc_chk_{_digest(reference)}", status="pending")
            self._checks[reference] = check
            self.calls.append(
                LocalKycCall(reference=reference, person=person, check_id=check.check_id)
            )
        outcome, reasons = decide(person, today=today)
        with self._lock:
            self._results[check.check_id] = KycResult(
                event_id=f"kyc_evt_{_digest(f'{check.check_id}:decided')}",
                check_id=check.check_id,
                reference=reference,
                outcome=outcome,
                occurred_at=timezone.now(),
                reasons=reasons,
            )
        transaction.on_commit(
            partial(
                self.deliver,
                check_id=check.check_id,
                reference=reference,
                outcome=outcome,
                reasons=reasons,
            )
        )
        return check

    def deliver(
        self,
        *,
        check_id: str,
        reference: str,
        outcome: KycOutcome,
        reasons: tuple[str, ...] = (),
    ) -> LocalKycDelivery:
        """Signs a result event and hands it to the receiver, as the vendor's webhook
        would. Also used to deliver a later result for the same check (a reviewer's
        decision). A receiver that raises is recorded as a failed delivery, never
        raised to the caller."""
        with self._lock:
            number = sum(1 for item in self.deliveries if item.result.check_id == check_id) + 1
        result = KycResult(
            event_id=f"kyc_evt_{_digest(f'{check_id}:{number}')}",
            check_id=check_id,
            reference=reference,
            outcome=outcome,
            occurred_at=timezone.now(),
            reasons=reasons,
        )
        with self._lock:
            self._results[check_id] = result
        body = result.to_json()
        header = sign(body, settings.KYC_WEBHOOK_SECRET)
        try:
            receiver = import_string(settings.KYC_LOCAL_WEBHOOK_RECEIVER)
            receiver(body, header)
            delivery = LocalKycDelivery(result=result, is_delivered=True)
        except Exception as error:
            logger.exception("offline KYC could not deliver %s", result.event_id)
            delivery = LocalKycDelivery(result=result, is_delivered=False, error=repr(error))
        with self._lock:
            self.deliveries.append(delivery)
        return delivery

    def fetch_result(self, *, check: KycCheckRef) -> KycResult | None:
        with self._lock:
            result = self._results.get(check.check_id)
        if result is None or result.reference != check.reference:
            raise KycError("The offline KYC adapter knows no such check.")
        return result

    @classmethod
    def reset(cls) -> None:
        with cls._lock:
            cls.calls.clear()
            cls.deliveries.clear()
            cls._checks.clear()
            cls._results.clear()
