"""The key-management operations Aeyia uses for envelope encryption (decision 0032).

`live.AwsKms` calls AWS KMS; `local.LocalKms` wraps data keys with AES-GCM under master keys
from the environment (KMS_LOCAL_MASTER_KEYS) for development, tests and small installs."""

from typing import Protocol

from integrations.kms.types import DataKey, EncryptionContext, WrappedKey


class KeyManagementService(Protocol):
    def current_key_id(self) -> str:
        """The master key new data keys are wrapped under (rotation moves rows to it)."""
        ...

    def generate_data_key(
        self, *, context: EncryptionContext, key_id: str | None = None
    ) -> DataKey:
        """A new random 256-bit data key, in plaintext and wrapped under `key_id` (the
        current master key when None) with `context` bound to it. Raises `KmsError`."""
        ...

    def decrypt_data_key(
        self, *, wrapped_key: bytes, key_id: str, context: EncryptionContext
    ) -> bytes:
        """The plaintext of a data key `generate_data_key` wrapped under `key_id` with the
        same `context`. Raises `KmsDecryptError` when it cannot be unwrapped (altered,
        another context, unknown key) and `KmsError` for any other failure."""
        ...

    def rewrap_data_key(
        self, *, wrapped_key: bytes, key_id: str, context: EncryptionContext
    ) -> WrappedKey:
        """The same data key wrapped under the current master key (key rotation: the
        encrypted file itself is not touched). Raises like `decrypt_data_key`."""
        ...
