"""/api/v1/care-records/<id>/messages/: threads with unread counts, posting, paging,
marking read and closing."""

import pytest
from django.urls import reverse

from marketplace.clients.messaging.models import Message
from tests.accounts.factories import enrol_totp
from tests.marketplace.clients.factories import CareRecordFactory

pytestmark = pytest.mark.django_db


def test_threads_messages_post_and_read_through_the_api(client):
    record = CareRecordFactory()
    enrol_totp(record.practitioner.user)
    threads_url = reverse("api-care-messages", kwargs={"record_id": record.pk})
    client.force_login(record.client)

    created = client.post(
        threads_url,
        {"subject": "Question", "body": "Can we move Friday?"},
        content_type="application/json",
    )
    assert created.status_code == 201
    thread_id = created.json()["thread"]["id"]
    thread_url = reverse(
        "api-care-message-thread", kwargs={"record_id": record.pk, "thread_id": thread_id}
    )

    client.force_login(record.practitioner.user)
    listing = client.get(threads_url).json()
    assert listing["count"] == 1
    assert listing["results"][0]["unread"] == 1
    assert listing["results"][0]["subject"] == "Question"
    messages = client.get(thread_url).json()
    assert [m["body"] for m in messages["results"]] == ["Can we move Friday?"]
    assert messages["results"][0]["from_me"] is False

    reply = client.post(thread_url, {"body": "Yes"}, content_type="application/json")
    assert reply.status_code == 201
    read = client.post(
        reverse(
            "api-care-message-thread-read",
            kwargs={"record_id": record.pk, "thread_id": thread_id},
        )
    )
    assert read.status_code == 200 and read.json()["unread"] == 0
    closed = client.post(
        reverse(
            "api-care-message-thread-close",
            kwargs={"record_id": record.pk, "thread_id": thread_id},
        )
    )
    assert closed.json()["is_closed"] is True
    assert Message.objects.count() == 2


def test_bad_input_is_a_clear_400(client):
    record = CareRecordFactory()
    client.force_login(record.client)
    url = reverse("api-care-messages", kwargs={"record_id": record.pk})

    empty = client.post(url, {"subject": "", "body": ""}, content_type="application/json")
    assert empty.status_code == 400
    assert "error" in empty.json() or "code" in empty.json()
    assert client.get(url, {"limit": "lots"}).status_code == 400
    assert client.get(url, {"limit": "0"}).status_code == 400
