"""The local sender records messages like mail.outbox; the factory follows SMS_SENDER."""

import pytest

from integrations.sms import get_sms_sender
from integrations.sms.local import LocalSmsSender
from integrations.sms.types import InvalidPhoneNumber


@pytest.fixture(autouse=True)
def clean_outbox():
    LocalSmsSender.reset()
    yield
    LocalSmsSender.reset()


def test_send_records_the_message_with_a_deterministic_id():
    sent = LocalSmsSender().send(to="+447700900123", body="Hello", idempotency_key="reminder-1")

    [message] = LocalSmsSender.outbox
    assert (message.to, message.body, message.idempotency_key) == (
        "+447700900123",
        "Hello",
        "reminder-1",
    )
    assert sent.message_id == message.message_id
    assert sent.message_id.startswith("local-sms-1-")


def test_reset_empties_the_outbox():
    LocalSmsSender().send(to="+447700900123", body="Hello", idempotency_key="k")
    LocalSmsSender.reset()
    assert LocalSmsSender.outbox == []


def test_an_invalid_number_is_refused_and_not_recorded():
    with pytest.raises(InvalidPhoneNumber):
        LocalSmsSender().send(to="07700 900123", body="Hello", idempotency_key="k")
    assert LocalSmsSender.outbox == []


def test_factory_loads_the_configured_class(settings):
    get_sms_sender.cache_clear()
    settings.SMS_SENDER = "integrations.sms.local.LocalSmsSender"
    try:
        assert isinstance(get_sms_sender(), LocalSmsSender)
    finally:
        get_sms_sender.cache_clear()
