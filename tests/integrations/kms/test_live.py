"""The live KMS adapter against moto's KMS: data keys round-trip, the encryption context
is enforced, re-wrapping moves a key to another master key, and the client has timeouts
and bounded retries."""

import time

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from moto import mock_aws

from integrations.kms import live
from integrations.kms.types import KmsDecryptError, KmsError

REGION = "eu-west-2"
CONTEXT = {"purpose": "client_document", "record": "7", "object": "client-documents/abc"}


@pytest.fixture(autouse=True)
def aws_environment(monkeypatch, tmp_path, settings):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    settings.AWS_KMS_REGION = REGION
    settings.KMS_TIMEOUT_SECONDS = 4
    settings.KMS_MAX_ATTEMPTS = 3


@pytest.fixture
def aws_key(settings):
    with mock_aws():
        client = boto3.client("kms", region_name=REGION)
        key = client.create_key(Description="aeyia documents")["KeyMetadata"]
        client.create_alias(AliasName="alias/aeyia-documents", TargetKeyId=key["KeyId"])
        settings.KMS_KEY_ID = "alias/aeyia-documents"
        yield client, key


def test_a_data_key_round_trips_through_kms(aws_key):
    _client, key = aws_key
    kms = live.AwsKms()

    data_key = kms.generate_data_key(context=CONTEXT)

    assert len(data_key.plaintext) == 32
    assert data_key.plaintext not in data_key.wrapped
    assert data_key.key_id == key["Arn"]
    assert kms.current_key_id() == key["Arn"]
    opened = kms.decrypt_data_key(
        wrapped_key=data_key.wrapped, key_id=data_key.key_id, context=CONTEXT
    )
    assert opened == data_key.plaintext


def test_another_encryption_context_does_not_open_the_key(aws_key):
    kms = live.AwsKms()
    data_key = kms.generate_data_key(context=CONTEXT)

    with pytest.raises(KmsDecryptError) as raised:
        kms.decrypt_data_key(
            wrapped_key=data_key.wrapped,
            key_id=data_key.key_id,
            context={**CONTEXT, "object": "client-documents/other"},
        )
    assert raised.value.code == "InvalidCiphertextException"
    assert raised.value.retryable is False


def test_rewrap_moves_the_data_key_to_the_configured_key(aws_key, settings):
    client, old_key = aws_key
    kms = live.AwsKms()
    data_key = kms.generate_data_key(context=CONTEXT)
    new_key = client.create_key(Description="aeyia documents 2")["KeyMetadata"]
    settings.KMS_KEY_ID = new_key["Arn"]

    rotated = live.AwsKms()
    rewrapped = rotated.rewrap_data_key(
        wrapped_key=data_key.wrapped, key_id=data_key.key_id, context=CONTEXT
    )

    assert rewrapped.key_id == new_key["Arn"] != old_key["Arn"]
    assert rewrapped.wrapped != data_key.wrapped
    assert (
        rotated.decrypt_data_key(
            wrapped_key=rewrapped.wrapped, key_id=new_key["Arn"], context=CONTEXT
        )
        == data_key.plaintext
    )


def test_client_has_explicit_timeouts_and_bounded_retries():
    config = live.client_config()
    assert config.connect_timeout == 4
    assert config.read_timeout == 4
    assert config.retries == {"mode": "standard", "total_max_attempts": 3}


class _EmptyBody:
    def stream(self, **kwargs):
        return iter([b""])


def test_an_unavailable_kms_is_tried_exactly_max_attempts_times(monkeypatch, settings):
    monkeypatch.setattr(time, "sleep", lambda seconds: None)
    settings.KMS_KEY_ID = "alias/aeyia-documents"
    kms = live.AwsKms()
    attempts = []

    def unavailable(request, **kwargs):
        attempts.append(request)
        return AWSResponse(request.url, 503, {}, _EmptyBody())

    kms._client.meta.events.register("before-send.kms.GenerateDataKey", unavailable)

    with pytest.raises(KmsError) as raised:
        kms.generate_data_key(context=CONTEXT)

    assert len(attempts) == 3
    assert raised.value.retryable is True
