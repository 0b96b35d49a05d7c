"""The identity-verification operation Aeyia uses. The result never comes back from
`start_check`: it arrives later as a signed webhook to /webhooks/kyc/ (see
`integrations.kyc.signatures` and `types.KycResult`). `local.LocalKyc` decides by
documented rules offline; a live FrankieOne adapter is blocked on vendor material
(docs/decisions/0015-practitioner-verification.md)."""

from typing import Protocol

from integrations.kyc.types import KycCheck, KycPerson


class KycGateway(Protocol):
    def start_check(self, *, reference: str, person: KycPerson) -> KycCheck:
        """Starts an identity check of `person`. `reference` is our own stable id for
        the check (it doubles as the idempotency key: starting the same reference twice
        returns the same check) and comes back in the result webhook. Raises
        `types.KycError` when the check cannot be started."""
        ...
