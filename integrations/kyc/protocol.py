"""The identity-verification operations Aeyia uses. A check is started with `start_check`
and finishes later: the vendor tells us so (the offline adapter with a signed webhook to
/webhooks/kyc/, FrankieOne with an unsigned notification to a secret path), and we read
the result with `fetch_result` before changing anything. `local.LocalKyc` decides by
documented rules offline; `live.FrankieOneKyc` talks to FrankieOne's KYC V2 API
(docs/decisions/0026-frankieone-live-kyc.md)."""

from typing import Protocol

from integrations.kyc.types import KycCheck, KycCheckRef, KycPerson, KycResult


class KycGateway(Protocol):
    def start_check(self, *, reference: str, person: KycPerson, entity_id: str = "") -> KycCheck:
        """Starts an identity check of `person`. `reference` is our own stable id for
        the check (starting the same reference twice returns the same check, or at
        least never creates the person twice) and comes back with the result.
        `entity_id` is the vendor's id of this person from an earlier check, read from
        our rows: given, the person is reused rather than created again. Raises
        `types.KycError` when the check cannot be started."""
        ...

    def fetch_result(self, *, check: KycCheckRef) -> KycResult | None:
        """The check's current result, read from the vendor; None while it is still
        running (nothing to apply yet). Raises `types.KycError` when it cannot be read."""
        ...
