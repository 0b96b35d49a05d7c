"""The live SMS adapter: `SmsSender` over AWS SNS `Publish` to a phone number.

This is the only module that imports boto3/botocore. The client has explicit connect and
read timeouts and a bounded number of attempts (botocore's "standard" retry mode: it
retries throttling, 5xx and connection errors with backoff, nothing else).

SNS takes no idempotency key for direct SMS, and a retry after a lost response could
deliver a message twice. That is why attempts are kept low and why callers record the
send in their own row before calling (the booking reminders do: one row per booking,
kind and channel), so a retried task never sends again. The key is logged with the
message id, which ties an SNS delivery log line to our row.
"""

from __future__ import annotations

import logging
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings

from integrations.sms.types import InvalidPhoneNumber, SentSms, SmsError, is_e164

logger = logging.getLogger(__name__)

SMS_TYPE_ATTRIBUTE = "AWS.SNS.SMS.SMSType"
SENDER_ID_ATTRIBUTE = "AWS.SNS.SMS.SenderID"
RETRYABLE_CODES = frozenset(
    {"Throttling", "ThrottlingException", "ThrottledException", "InternalError",
     "InternalFailure", "ServiceUnavailable", "KMSThrottlingException"}
)  # fmt: skip


def client_config() -> Config:
    """Timeouts and retries for every SNS request (settings SMS_TIMEOUT_SECONDS,
    SMS_MAX_ATTEMPTS: total attempts, the first included)."""
    return Config(
        region_name=settings.AWS_SNS_REGION,
        connect_timeout=settings.SMS_TIMEOUT_SECONDS,
        read_timeout=settings.SMS_TIMEOUT_SECONDS,
        retries={"mode": "standard", "total_max_attempts": settings.SMS_MAX_ATTEMPTS},
    )


class SnsSmsSender:
    """Sends transactional SMS through SNS in AWS_SNS_REGION, with AWS_SNS_SENDER_ID as the
    alphanumeric sender where the destination country supports one. Credentials come
    from the standard AWS chain (an IAM role in production). Raises `types.SmsError`."""

    def __init__(self, client: Any | None = None):
        self._client = client or boto3.session.Session().client("sns", config=client_config())

    def send(self, *, to: str, body: str, idempotency_key: str) -> SentSms:
        if not is_e164(to):
            raise InvalidPhoneNumber(f"{to!r} is not an E.164 phone number.", code="invalid")
        attributes = {
            SMS_TYPE_ATTRIBUTE: {"DataType": "String", "StringValue": "Transactional"},
        }
        if settings.AWS_SNS_SENDER_ID:
            attributes[SENDER_ID_ATTRIBUTE] = {
                "DataType": "String",
                "StringValue": settings.AWS_SNS_SENDER_ID,
            }
        try:
            response = self._client.publish(
                PhoneNumber=to, Message=body, MessageAttributes=attributes
            )
        except ClientError as error:
            details = error.response.get("Error", {})
            code = details.get("Code", "")
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
            raise SmsError(
                f"SNS refused the SMS: {code} {details.get('Message', '')}".strip(),
                code=code,
                retryable=code in RETRYABLE_CODES or status >= 500,
            ) from error
        except BotoCoreError as error:
            # Timeouts and connection errors that outlasted the bounded retries.
            raise SmsError(f"SNS could not be reached: {error}", retryable=True) from error
        message_id = response["MessageId"]
        logger.info(
            "sms sent", extra={"message_id": message_id, "idempotency_key": idempotency_key}
        )
        return SentSms(message_id=message_id, to=to, idempotency_key=idempotency_key)
