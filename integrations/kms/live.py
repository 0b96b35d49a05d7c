"""The live key service: `KeyManagementService` over AWS KMS.

This is the only module that imports boto3/botocore. Data keys come from GenerateDataKey
(AES_256) under KMS_KEY_ID with the encryption context bound to them; Decrypt names the key
and the context, so a wrapped key copied onto another document does not open. Rotation:
AWS rotates the key material of a key itself (old material still decrypts); moving data keys
to another key (KMS_KEY_ID changed) is ReEncrypt, which never exposes the plaintext key.

Every request has explicit connect and read timeouts and a bounded number of attempts
(botocore's "standard" retry mode: throttling, 5xx and connection errors, with backoff).
These calls create nothing that a retry could duplicate, so they need no idempotency key.
Credentials come from the standard AWS chain (an IAM role in production)."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings

from integrations.kms.types import (
    DataKey,
    EncryptionContext,
    KmsDecryptError,
    KmsError,
    WrappedKey,
)

DECRYPT_FAILURES = frozenset(
    {"InvalidCiphertextException", "IncorrectKeyException", "NotFoundException",
     "DisabledException", "KMSInvalidStateException", "AccessDeniedException"}
)  # fmt: skip
RETRYABLE_CODES = frozenset(
    {"ThrottlingException", "KMSInternalException", "DependencyTimeoutException",
     "KeyUnavailableException", "LimitExceededException"}
)  # fmt: skip


def client_config() -> Config:
    """Timeouts and retries for every KMS request (settings KMS_TIMEOUT_SECONDS,
    KMS_MAX_ATTEMPTS: total attempts, the first included)."""
    return Config(
        region_name=settings.AWS_KMS_REGION,
        connect_timeout=settings.KMS_TIMEOUT_SECONDS,
        read_timeout=settings.KMS_TIMEOUT_SECONDS,
        retries={"mode": "standard", "total_max_attempts": settings.KMS_MAX_ATTEMPTS},
    )


class AwsKms:
    """`KeyManagementService` on AWS KMS in AWS_KMS_REGION with the key KMS_KEY_ID (an id,
    ARN or alias/...). Raises `types.KmsError` / `types.KmsDecryptError`."""

    def __init__(self, client: Any | None = None, key_id: str | None = None):
        self._client = client or boto3.session.Session().client("kms", config=client_config())
        self._key_id = key_id or settings.KMS_KEY_ID
        self._resolved: str | None = None

    def current_key_id(self) -> str:
        """The ARN of KMS_KEY_ID (an alias is resolved once): rows store the ARN KMS
        answers with, so comparing ARNs tells which rows a rotation must move."""
        if self._resolved is None:
            response = self._call("describe_key", KeyId=self._key_id)
            self._resolved = response["KeyMetadata"]["Arn"]
        return self._resolved

    def generate_data_key(
        self, *, context: EncryptionContext, key_id: str | None = None
    ) -> DataKey:
        response = self._call(
            "generate_data_key",
            KeyId=key_id or self._key_id,
            KeySpec="AES_256",
            EncryptionContext=dict(context),
        )
        return DataKey(
            plaintext=response["Plaintext"],
            wrapped=response["CiphertextBlob"],
            key_id=response["KeyId"],
        )

    def decrypt_data_key(
        self, *, wrapped_key: bytes, key_id: str, context: EncryptionContext
    ) -> bytes:
        response = self._call(
            "decrypt",
            CiphertextBlob=bytes(wrapped_key),
            KeyId=key_id,
            EncryptionContext=dict(context),
        )
        return response["Plaintext"]

    def rewrap_data_key(
        self, *, wrapped_key: bytes, key_id: str, context: EncryptionContext
    ) -> WrappedKey:
        response = self._call(
            "re_encrypt",
            CiphertextBlob=bytes(wrapped_key),
            SourceKeyId=key_id,
            SourceEncryptionContext=dict(context),
            DestinationKeyId=self._key_id,
            DestinationEncryptionContext=dict(context),
        )
        return WrappedKey(wrapped=response["CiphertextBlob"], key_id=response["KeyId"])

    def _call(self, operation: str, **params: Any) -> dict[str, Any]:
        try:
            return getattr(self._client, operation)(**params)
        except ClientError as error:
            details = error.response.get("Error", {})
            code = details.get("Code", "")
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
            message = f"AWS KMS refused {operation}: {code} {details.get('Message', '')}".strip()
            if code in DECRYPT_FAILURES:
                raise KmsDecryptError(message, code=code) from error
            raise KmsError(
                message, code=code, retryable=code in RETRYABLE_CODES or status >= 500
            ) from error
        except BotoCoreError as error:
            # Timeouts and connection errors that outlasted the bounded retries.
            raise KmsError(f"AWS KMS could not be reached: {error}", retryable=True) from error
