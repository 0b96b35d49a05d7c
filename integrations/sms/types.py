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


def normalize_phone_number(raw: str) -> str:
    """The number without the spaces, hyphens, dots and brackets people type into it:
    "+44 (0)7700 900-123" becomes "+447700900123" (a national "(0)" trunk prefix after the
    country code is dropped). Check the result with `is_e164`."""
    text = (raw or "").strip().replace("(0)", "")
    return "".join(character for character in text if character not in " -.()\t")
