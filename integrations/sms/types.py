"""Values that cross the SMS boundary. boto3 objects never leave `live.py`."""

import re
from dataclasses import dataclass

# E.164: a plus, a country code that does not start with 0, at most 15 digits in all.
E164_PATTERN = re.compile(r"^\+[1-9]\d{1,14}$")


class SmsError(Exception):
    """The provider refused the message or could not be reached. `retryable` says whether
    trying again later may succeed (network trouble, throttling, a 5xx)."""

    def __init__(self, message: str, *, code: str = "", retryable: bool = False):
        super().__init__(message)
        self.code = code
        self.retryable = retryable


class InvalidPhoneNumber(SmsError):
    """The number is not in E.164 form (+447700900123)."""


def is_e164(phone_number: str) -> bool:
    return bool(E164_PATTERN.match(phone_number))


@dataclass(frozen=True)
class SentSms:
    """A message the provider accepted for delivery."""

    message_id: str
    to: str
    idempotency_key: str
