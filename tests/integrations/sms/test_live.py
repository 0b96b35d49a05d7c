"""The live SNS adapter: against moto's SNS (the message SNS keeps), with botocore's
Stubber for the exact request, and with a failing endpoint for the bounded retries."""

import time

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.stub import Stubber
from moto import mock_aws
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.sns.models import sns_backends

from integrations.sms import live
from integrations.sms.types import InvalidPhoneNumber, SmsError

REGION = "eu-west-2"
NUMBER = "+447700900123"


@pytest.fixture(autouse=True)
def aws_environment(monkeypatch, tmp_path, settings):
    """Fake credentials, no shared AWS files from the developer's machine, and the
    adapter's settings."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    settings.AWS_SNS_REGION = REGION
    settings.AWS_SNS_SENDER_ID = "Aeyia"
    settings.SMS_TIMEOUT_SECONDS = 4
    settings.SMS_MAX_ATTEMPTS = 3


@pytest.fixture
def no_backoff(monkeypatch):
    sleeps: list[float] = []
    monkeypatch.setattr(time, "sleep", sleeps.append)
    return sleeps


class _EmptyBody:
    def stream(self, **kwargs):
        return iter([b""])


@mock_aws
def test_send_publishes_the_sms_that_sns_keeps():
    sent = live.SnsSmsSender().send(
        to=NUMBER, body="Reminder: Reiki tomorrow at 10:00", idempotency_key="reminder-7"
    )

    messages = sns_backends[DEFAULT_ACCOUNT_ID][REGION].sms_messages
    assert messages == {sent.message_id: (NUMBER, "Reminder: Reiki tomorrow at 10:00")}
    assert sent.to == NUMBER
    assert sent.idempotency_key == "reminder-7"


def test_send_asks_for_a_transactional_sms_with_the_sender_id():
    sender = live.SnsSmsSender()
    with Stubber(sender._client) as stub:
        stub.add_response(
            "publish",
            {"MessageId": "sns-message-1"},
            expected_params={
                "PhoneNumber": NUMBER,
                "Message": "Hello",
                "MessageAttributes": {
                    "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"},
                    "AWS.SNS.SMS.SenderID": {"DataType": "String", "StringValue": "Aeyia"},
                },
            },
        )
        sent = sender.send(to=NUMBER, body="Hello", idempotency_key="k")
        stub.assert_no_pending_responses()

    assert sent.message_id == "sns-message-1"


def test_an_empty_sender_id_is_left_to_sns(settings):
    settings.AWS_SNS_SENDER_ID = ""
    sender = live.SnsSmsSender()
    with Stubber(sender._client) as stub:
        stub.add_response(
            "publish",
            {"MessageId": "sns-message-2"},
            expected_params={
                "PhoneNumber": NUMBER,
                "Message": "Hello",
                "MessageAttributes": {
                    "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"},
                },
            },
        )
        sender.send(to=NUMBER, body="Hello", idempotency_key="k")


def test_client_has_explicit_timeouts_and_bounded_retries():
    config = live.SnsSmsSender()._client.meta.config

    assert config.region_name == REGION
    assert config.connect_timeout == 4
    assert config.read_timeout == 4
    assert config.retries == {"mode": "standard", "total_max_attempts": 3}


def test_a_failing_endpoint_is_tried_exactly_max_attempts_times(no_backoff):
    sender = live.SnsSmsSender()
    attempts = []

    def unavailable(request, **kwargs):
        attempts.append(request)
        return AWSResponse(request.url, 503, {}, _EmptyBody())

    sender._client.meta.events.register("before-send.sns.Publish", unavailable)

    with pytest.raises(SmsError) as raised:
        sender.send(to=NUMBER, body="Hello", idempotency_key="k")

    assert len(attempts) == 3
    assert raised.value.retryable is True


def test_a_refusal_is_an_sms_error_that_is_not_retryable():
    sender = live.SnsSmsSender()
    with Stubber(sender._client) as stub:
        stub.add_client_error(
            "publish", service_error_code="InvalidParameter", http_status_code=400
        )
        with pytest.raises(SmsError) as raised:
            sender.send(to=NUMBER, body="Hello", idempotency_key="k")

    assert raised.value.code == "InvalidParameter"
    assert raised.value.retryable is False


@pytest.mark.parametrize("number", ["07700900123", "+0447700900123", "+44 7700 900123", ""])
def test_a_number_not_in_e164_is_refused_before_calling_sns(number):
    client = boto3.session.Session().client("sns", region_name=REGION)
    with Stubber(client):  # any call would fail: no responses queued
        with pytest.raises(InvalidPhoneNumber):
            live.SnsSmsSender(client=client).send(to=number, body="Hello", idempotency_key="k")
