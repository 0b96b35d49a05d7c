"""The SMS operation Aeyia uses. `live.SnsSmsSender` sends through AWS SNS;
`local.LocalSmsSender` records messages in memory for development and tests."""

from typing import Protocol

from integrations.sms.types import SentSms


class SmsSender(Protocol):
    def send(self, *, to: str, body: str, idempotency_key: str) -> SentSms:
        """Send `body` as a transactional SMS to `to` (E.164, e.g. +447700900123).

        `idempotency_key` is derived from the caller's own row (a reminder's id). SNS has
        no idempotency key for direct SMS, so exactly-once is the caller's job: record
        the send in the database first, then call this once. Raises
        `types.InvalidPhoneNumber` for a malformed number and `types.SmsError` for any
        other failure."""
        ...
