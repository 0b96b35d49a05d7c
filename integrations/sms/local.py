"""The offline SMS sender (DESIGN.md §4 `local`): nothing leaves the process. Every
message is recorded in `LocalSmsSender.outbox`, the way Django's locmem email backend
fills `mail.outbox`; tests call `LocalSmsSender.reset()` to start clean."""

import hashlib
import threading
from dataclasses import dataclass
from typing import ClassVar

from integrations.sms.types import InvalidPhoneNumber, SentSms, is_e164


@dataclass(frozen=True)
class LocalSms:
    """One recorded message."""

    message_id: str
    to: str
    body: str
    idempotency_key: str


class LocalSmsSender:
    """Records messages instead of sending them. Message ids are derived from the
    idempotency key, so they are deterministic across runs."""

    outbox: ClassVar[list[LocalSms]] = []
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def send(self, *, to: str, body: str, idempotency_key: str) -> SentSms:
        if not is_e164(to):
            raise InvalidPhoneNumber(f"{to!r} is not an E.164 phone number.", code="invalid")
        digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]
        with self._lock:
            message_id = f"local-sms-{len(self.outbox) + 1}-{digest}"
            self.outbox.append(
                LocalSms(message_id=message_id, to=to, body=body, idempotency_key=idempotency_key)
            )
        return SentSms(message_id=message_id, to=to, idempotency_key=idempotency_key)

    @classmethod
    def reset(cls) -> None:
        with cls._lock:
            cls.outbox.clear()
