"""The offline key service (DESIGN.md §4 `local`): a complete envelope-encryption key
store in the process, for `make run`, tests and installs without AWS.

Master keys come from KMS_LOCAL_MASTER_KEYS, a list of `key-id=base64(32 bytes)`; the first
wraps new data keys, every one unwraps. A data key is wrapped with AES-256-GCM under the
master key, with the key id and the encryption context (canonical JSON) as associated data,
so a wrapped key opens only under the same context. Stored form: version byte 0x01, the
12-byte nonce, the 48-byte ciphertext and tag.

Rotation: put a new key first, run `manage.py kms_rotate` (re-wraps every data key under it
without touching the encrypted files), then drop the old key. With no keys set, one key is
derived from SECRET_KEY so `make run` needs no setup; the production deploy check refuses
that, and refuses this adapter unless KMS_LOCAL_ALLOWED_IN_PRODUCTION says so."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from integrations.kms.types import (
    DataKey,
    EncryptionContext,
    KmsDecryptError,
    WrappedKey,
)

WRAP_VERSION = b"\x01"
NONCE_BYTES = 12
DATA_KEY_BYTES = 32
DERIVED_KEY_ID = "local-derived"
DERIVE_LABEL = b"aeyia.kms-local-master:"


def master_keys() -> dict[str, bytes]:
    """Key id → 32-byte master key, the current (first) key first."""
    return _parse(tuple(settings.KMS_LOCAL_MASTER_KEYS), settings.SECRET_KEY)


@lru_cache(maxsize=8)
def _parse(entries: tuple[str, ...], secret_key: str) -> dict[str, bytes]:
    if not entries:
        return {DERIVED_KEY_ID: hashlib.sha256(DERIVE_LABEL + secret_key.encode()).digest()}
    keys: dict[str, bytes] = {}
    for entry in entries:
        key_id, separator, encoded = entry.strip().partition("=")
        if not separator or not key_id:
            raise ImproperlyConfigured(
                "KMS_LOCAL_MASTER_KEYS entries are key-id=base64 (32 bytes), comma-separated."
            )
        try:
            key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=False)
        except (binascii.Error, ValueError) as error:
            raise ImproperlyConfigured(f"KMS master key {key_id!r} is not base64.") from error
        if len(key) != DATA_KEY_BYTES:
            raise ImproperlyConfigured(f"KMS master key {key_id!r} is not 32 bytes.")
        if key_id in keys:
            raise ImproperlyConfigured(f"KMS master key id {key_id!r} is listed twice.")
        keys[key_id] = key
    return keys


def associated_data(key_id: str, context: EncryptionContext) -> bytes:
    return json.dumps(
        {"key_id": key_id, "context": dict(sorted(context.items()))},
        sort_keys=True,
        separators=(",", ":"),
    ).encode()


class LocalKms:
    """`KeyManagementService` with master keys from settings (see the module docstring)."""

    def current_key_id(self) -> str:
        return next(iter(master_keys()))

    def generate_data_key(
        self, *, context: EncryptionContext, key_id: str | None = None
    ) -> DataKey:
        key_id = key_id or self.current_key_id()
        plaintext = AESGCM.generate_key(bit_length=256)
        return DataKey(
            plaintext=plaintext, wrapped=self._wrap(plaintext, key_id, context), key_id=key_id
        )

    def decrypt_data_key(
        self, *, wrapped_key: bytes, key_id: str, context: EncryptionContext
    ) -> bytes:
        master = master_keys().get(key_id)
        if master is None:
            raise KmsDecryptError(
                f"Master key {key_id!r} is not in KMS_LOCAL_MASTER_KEYS (keep old keys until "
                "kms_rotate has re-wrapped every data key).",
                code="unknown_key",
            )
        wrapped_key = bytes(wrapped_key)
        if len(wrapped_key) != 1 + NONCE_BYTES + DATA_KEY_BYTES + 16 or not (
            wrapped_key.startswith(WRAP_VERSION)
        ):
            raise KmsDecryptError("The wrapped data key is malformed.", code="malformed")
        nonce = wrapped_key[1 : 1 + NONCE_BYTES]
        try:
            return AESGCM(master).decrypt(
                nonce, wrapped_key[1 + NONCE_BYTES :], associated_data(key_id, context)
            )
        except InvalidTag as error:
            raise KmsDecryptError(
                "The data key does not open under this key and encryption context.",
                code="invalid_ciphertext",
            ) from error

    def rewrap_data_key(
        self, *, wrapped_key: bytes, key_id: str, context: EncryptionContext
    ) -> WrappedKey:
        plaintext = self.decrypt_data_key(wrapped_key=wrapped_key, key_id=key_id, context=context)
        current = self.current_key_id()
        return WrappedKey(wrapped=self._wrap(plaintext, current, context), key_id=current)

    def _wrap(self, plaintext: bytes, key_id: str, context: EncryptionContext) -> bytes:
        master = master_keys().get(key_id)
        if master is None:
            raise KmsDecryptError(f"Master key {key_id!r} is not configured.", code="unknown_key")
        nonce = os.urandom(NONCE_BYTES)
        return (
            WRAP_VERSION
            + nonce
            + AESGCM(master).encrypt(nonce, plaintext, associated_data(key_id, context))
        )
