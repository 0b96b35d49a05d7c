"""Values that cross the key-management boundary. boto3 objects never leave `live.py`.

An *encryption context* is a small mapping of non-secret strings (which document, which
record) bound to a wrapped data key: unwrapping with a different context fails, so a
wrapped key copied onto another row cannot be opened there."""

from collections.abc import Mapping
from dataclasses import dataclass, field

EncryptionContext = Mapping[str, str]


class KmsError(Exception):
    """The key service refused the request or could not be reached. `retryable` says
    whether trying again later may succeed (network trouble, throttling, a 5xx)."""

    def __init__(self, message: str, *, code: str = "", retryable: bool = False):
        super().__init__(message)
        self.code = code
        self.retryable = retryable


class KmsDecryptError(KmsError):
    """A wrapped data key could not be unwrapped: it was altered, the encryption context
    differs from the one it was wrapped with, or its master key is not configured."""


@dataclass(frozen=True)
class DataKey:
    """A fresh data key: `plaintext` encrypts one file and is never stored; `wrapped` is
    the same key encrypted under the master key `key_id`, stored beside the file."""

    plaintext: bytes = field(repr=False)
    wrapped: bytes
    key_id: str


@dataclass(frozen=True)
class WrappedKey:
    """A data key wrapped under the master key `key_id` (after a re-wrap)."""

    wrapped: bytes
    key_id: str
