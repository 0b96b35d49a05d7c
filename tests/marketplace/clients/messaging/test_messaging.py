"""Secure messaging: who can open what (404 for everyone else), unread counts from one
aggregate, the contentless and throttled email, closing, query constancy, audit."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from marketplace.clients.messaging import selectors, services
from marketplace.clients.messaging.models import Message, ReadState, Thread
from marketplace.clients.records.access import record_access
from privacy.models import AuditEntry
from tests.accounts.factories import UserFactory, enrol_totp
from tests.marketplace.clients.factories import CareRecordFactory

pytestmark = pytest.mark.django_db

SECRET = "my panic attacks came back on Tuesday"


def _record(**kwargs):
    """A care record whose practitioner has an authenticator (the MFA policy lets them in)."""
    record = CareRecordFactory(**kwargs)
    enrol_totp(record.practitioner.user)
    return record


@pytest.fixture
def record():
    return _record(
        client__first_name="Ada", client__last_name="Lovelace", practitioner__display_name="Sam"
    )


def _client_url(record, name="care-messages-client", **kwargs):
    return reverse(name, kwargs={"record_id": record.pk, **kwargs})


def _practitioner_url(record, name="care-messages-practitioner", **kwargs):
    return reverse(name, kwargs={"record_id": record.pk, **kwargs})


def _start(record, user, *, subject="Since our session", body=SECRET, capture=None):
    access = record_access(user=user, record_id=record.pk)
    return services.thread_start(access=access, user=user, subject=subject, body=body)


def test_a_client_writes_and_the_practitioner_reads_with_unread_counts(
    client, record, django_capture_on_commit_callbacks
):
    client.force_login(record.client)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _client_url(record), {"subject": "Since our session", "body": SECRET}
        )
    assert response.status_code == 302
    thread = Thread.objects.get()
    assert Message.objects.get().body == SECRET

    practitioner = record.practitioner.user
    client.force_login(practitioner)
    listing = client.get(_practitioner_url(record))
    assert b"1 unread" in listing.content
    inbox = client.get(reverse("messages-inbox-practitioner"))
    assert b"1 unread" in inbox.content
    assert b"Since our session" not in inbox.content  # the inbox shows who and when only

    page = client.get(
        _practitioner_url(record, "care-message-thread-practitioner", thread_id=thread.pk)
    )
    assert page.status_code == 200
    assert SECRET.encode() in page.content
    assert selectors.unread_total(user=practitioner) == 0
    assert b"1 unread" not in client.get(_practitioner_url(record)).content


def test_the_email_says_only_that_a_message_is_waiting_and_is_throttled(
    record, settings, django_capture_on_commit_callbacks
):
    settings.MESSAGE_EMAIL_THROTTLE_MINUTES = 30
    with django_capture_on_commit_callbacks(execute=True):
        posted = _start(record, record.client)
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [record.practitioner.user.email]
    assert email.subject == "You have a new message on Aeyia"
    link = _practitioner_url(record, "care-message-thread-practitioner", thread_id=posted.thread.pk)
    assert link in email.body
    for private in (SECRET, "Since our session", "Ada", "Lovelace", record.client.email):
        assert private not in email.body
        assert private not in email.subject

    access = record_access(user=record.client, record_id=record.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.message_post(access=access, thread=posted.thread, user=record.client, body="2")
    assert len(mail.outbox) == 1  # still unread, inside the window: no second email

    # Once the window has passed (the last email is 31 minutes old), the next one goes.
    ReadState.objects.filter(thread=posted.thread, user=record.practitioner.user).update(
        last_emailed_at=timezone.now() - timedelta(minutes=31)
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.message_post(access=access, thread=posted.thread, user=record.client, body="3")
    assert len(mail.outbox) == 2


def test_the_notice_holds_no_message_text_and_reading_the_thread_marks_it_read(
    record, django_capture_on_commit_callbacks
):
    from notifications.models import Notification
    from notifications.selectors import unread_count

    practitioner = record.practitioner.user
    with django_capture_on_commit_callbacks(execute=True):
        posted = _start(record, record.client)
    notice = Notification.objects.get(recipient=practitioner, type_key="messages.new_message")
    stored = f"{notice.title} {notice.body} {notice.context} {notice.link}"
    for private in (SECRET, "Since our session", "Ada", "Lovelace"):
        assert private not in stored
    assert notice.link == _practitioner_url(
        record, "care-message-thread-practitioner", thread_id=posted.thread.pk
    )
    assert unread_count(practitioner) == 1

    access = record_access(user=practitioner, record_id=record.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.thread_mark_read(access=access, thread=posted.thread, user=practitioner)

    notice.refresh_from_db()
    assert notice.read_at is not None
    assert unread_count(practitioner) == 0


def test_no_email_for_a_message_already_read(record, django_capture_on_commit_callbacks):
    posted = _start(record, record.client)  # callbacks not run yet
    practitioner = record.practitioner.user
    services.thread_mark_read(
        access=record_access(user=practitioner, record_id=record.pk),
        thread=posted.thread,
        user=practitioner,
    )
    from marketplace.clients.messaging.notifications import message_notify

    assert message_notify(message_id=posted.message.pk) == 0


@pytest.mark.parametrize("who", ["other_client", "other_practitioner", "staff", "anonymous"])
def test_everyone_else_gets_404_on_pages_and_api(client, record, who):
    thread = _start(record, record.client).thread
    other = _record()
    if who == "other_client":
        client.force_login(other.client)
    elif who == "other_practitioner":
        client.force_login(other.practitioner.user)
    elif who == "staff":
        staff = UserFactory(is_staff=True, roles=["staff"])
        enrol_totp(staff)
        client.force_login(staff)
    before = AuditEntry.objects.count()
    urls = [
        _client_url(record),
        _client_url(record, "care-message-thread-client", thread_id=thread.pk),
        _practitioner_url(record),
        _practitioner_url(record, "care-message-thread-practitioner", thread_id=thread.pk),
        reverse("api-care-messages", kwargs={"record_id": record.pk}),
        reverse("api-care-message-thread", kwargs={"record_id": record.pk, "thread_id": thread.pk}),
    ]
    for url in urls:
        response = client.get(url)
        expected = {404} if who != "anonymous" else {302, 403, 401, 404}
        assert response.status_code in expected, (url, response.status_code)
        if who != "anonymous":
            assert SECRET.encode() not in response.content
    posted = client.post(
        reverse("api-care-message-thread", kwargs={"record_id": record.pk, "thread_id": thread.pk}),
        {"body": "sneaky"},
        content_type="application/json",
    )
    assert posted.status_code in {401, 403, 404}
    assert Message.objects.count() == 1
    assert AuditEntry.objects.count() == before


def test_each_side_reaches_only_its_own_pages(client, record):
    thread = _start(record, record.client).thread
    client.force_login(record.client)
    assert client.get(_practitioner_url(record)).status_code == 404
    client.force_login(record.practitioner.user)
    assert (
        client.get(
            _client_url(record, "care-message-thread-client", thread_id=thread.pk)
        ).status_code
        == 404
    )
    # A thread of another record through this record's URL is 404 as well.
    foreign = _start(
        other := CareRecordFactory(practitioner=record.practitioner), other.client
    ).thread
    assert (
        client.get(
            _practitioner_url(record, "care-message-thread-practitioner", thread_id=foreign.pk)
        ).status_code
        == 404
    )


def test_a_closed_thread_takes_no_replies_and_points_the_client_to_support(
    client, record, settings
):
    settings.SUPPORT_EMAIL = "help@aeyia.example"
    thread = _start(record, record.client).thread
    client.force_login(record.practitioner.user)
    response = client.post(
        _practitioner_url(record, "care-message-thread-close", thread_id=thread.pk)
    )
    assert response.status_code == 302
    thread.refresh_from_db()
    assert thread.is_closed

    client.force_login(record.client)
    url = _client_url(record, "care-message-thread-client", thread_id=thread.pk)
    page = client.get(url)
    assert b'id="thread-closed-help"' in page.content
    assert b"mailto:help@aeyia.example" in page.content
    assert b"<textarea" not in page.content
    refused = client.post(url, {"body": "hello?"})
    assert refused.status_code == 400
    assert b"closed" in refused.content
    api = client.post(
        reverse("api-care-message-thread", kwargs={"record_id": record.pk, "thread_id": thread.pk}),
        {"body": "hello?"},
        content_type="application/json",
    )
    assert api.status_code == 409
    assert Message.objects.filter(thread=thread).count() == 1
    # ...and can start a new conversation.
    assert client.post(_client_url(record), {"subject": "New", "body": "hi"}).status_code == 302


def test_the_client_cannot_close_a_thread(client, record):
    thread = _start(record, record.client).thread
    client.force_login(record.client)
    response = client.post(
        _practitioner_url(record, "care-message-thread-close", thread_id=thread.pk)
    )
    assert response.status_code == 404
    api = client.post(
        reverse(
            "api-care-message-thread-close",
            kwargs={"record_id": record.pk, "thread_id": thread.pk},
        )
    )
    assert api.status_code == 400
    thread.refresh_from_db()
    assert not thread.is_closed


def test_an_empty_message_re_renders_with_an_error(client, record):
    client.force_login(record.client)
    response = client.post(_client_url(record), {"subject": "  ", "body": ""})
    assert response.status_code == 400
    assert b"field--invalid" in response.content
    assert not Thread.objects.exists()


def _fill(thread, sender, count):
    now = timezone.now()
    Message.objects.bulk_create(
        [Message(thread=thread, sender=sender, body=f"message {n}") for n in range(count)]
    )
    Thread.objects.filter(pk=thread.pk).update(last_message_at=now)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_opening_a_thread_costs_the_same_queries_with_5_or_2000_messages(
    client, record, django_assert_num_queries
):
    small = _start(record, record.client).thread
    _fill(small, record.client, 4)
    big = _start(record, record.client, subject="Long").thread
    _fill(big, record.client, 1999)
    practitioner = record.practitioner.user
    client.force_login(practitioner)
    small_url = _practitioner_url(record, "care-message-thread-practitioner", thread_id=small.pk)
    big_url = _practitioner_url(record, "care-message-thread-practitioner", thread_id=big.pk)
    client.get(small_url)  # warm the session and read state rows
    client.get(big_url)

    expected = _queries(client, small_url)
    with django_assert_num_queries(expected):
        response = client.get(big_url)
    assert b"message 1998" in response.content
    assert b"message 5</p>" not in response.content  # paged: the newest page only

    api_url = reverse(
        "api-care-message-thread", kwargs={"record_id": record.pk, "thread_id": big.pk}
    )
    small_api = reverse(
        "api-care-message-thread", kwargs={"record_id": record.pk, "thread_id": small.pk}
    )
    client.get(small_api)
    expected_api = _queries(client, small_api)
    with django_assert_num_queries(expected_api):
        assert client.get(api_url).json()["count"] == 2000


def test_the_inbox_counts_unread_in_one_query_whatever_the_number_of_threads(record):
    practitioner = record.practitioner.user
    for n in range(3):
        other = CareRecordFactory(practitioner=record.practitioner)
        _start(other, other.client, subject=f"t{n}")
        _start(other, other.client, subject=f"u{n}")
    with CaptureQueriesContext(connection) as captured:
        rows = list(selectors.inbox(user=practitioner))
    assert len(captured.captured_queries) == 1
    assert sorted(row.unread for row in rows) == [2, 2, 2]
    assert selectors.unread_total(user=practitioner) == 6


def test_reads_and_posts_are_audited_without_content(client, record):
    client.force_login(record.client)
    client.post(_client_url(record), {"subject": "Since our session", "body": SECRET})
    thread = Thread.objects.get()
    client.force_login(record.practitioner.user)
    client.get(_practitioner_url(record, "care-message-thread-practitioner", thread_id=thread.pk))

    rows = AuditEntry.objects.filter(subject_user_id=record.client_id)
    kinds = {(row.action, row.object_type) for row in rows}
    assert {
        ("create", "message_thread"),
        ("create", "message"),
        ("read", "message_thread"),
    } <= kinds
    read = rows.filter(action="read", object_type="message_thread").get()
    assert read.actor_id == record.practitioner.user_id
    for row in rows:
        assert SECRET not in str(row.details) and "Since our session" not in str(row.details)


def test_the_body_is_encrypted_in_the_database(record):
    _start(record, record.client)
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM messaging_message")
        [(stored,)] = cursor.fetchall()
        cursor.execute("SELECT subject FROM messaging_thread")
        [(subject,)] = cursor.fetchall()
    assert SECRET not in stored
    assert "Since our session" not in subject


def test_a_message_can_carry_a_file_into_the_document_store(client, record, settings, tmp_path):
    import base64
    import os

    from django.core.files.uploadedfile import SimpleUploadedFile

    from filestore import private_storage_reset
    from integrations.kms import get_kms
    from marketplace.clients.documents.models import ClientDocument

    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    settings.KMS_GATEWAY = "integrations.kms.local.LocalKms"
    settings.KMS_LOCAL_MASTER_KEYS = [f"test-1={base64.b64encode(os.urandom(32)).decode()}"]
    private_storage_reset()
    get_kms.cache_clear()
    pdf = b"%PDF-1.7\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    client.force_login(record.practitioner.user)
    response = client.post(
        _practitioner_url(record),
        {
            "subject": "Your worksheet",
            "body": "Here it is",
            "attachment": SimpleUploadedFile("sheet.pdf", pdf, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302, response.content[:2000]
    message = Message.objects.get()
    document = ClientDocument.objects.get()
    assert message.attachment == document
    assert document.visibility == ClientDocument.Visibility.SHARED_WITH_CLIENT

    client.force_login(record.client)
    page = client.get(
        _client_url(record, "care-message-thread-client", thread_id=message.thread_id)
    )
    download = reverse(
        "care-document-download-client",
        kwargs={"record_id": record.pk, "document_id": document.pk},
    )
    assert download.encode() in page.content
    got = client.get(download)
    assert got.status_code == 200
    assert b"".join(got.streaming_content) == pdf

    refused = client.post(
        _client_url(record, "care-message-thread-client", thread_id=message.thread_id),
        {"body": "an exe", "attachment": SimpleUploadedFile("a.pdf", b"MZ\x90\x00binary")},
    )
    assert refused.status_code == 400
    assert Message.objects.count() == 1
    assert ClientDocument.objects.count() == 1
    private_storage_reset()
    get_kms.cache_clear()


def test_ids_beyond_a_bigint_are_404_not_a_driver_error(client, record):
    client.force_login(record.client)
    huge = 2**64
    assert (
        client.get(_client_url(record, "care-message-thread-client", thread_id=huge)).status_code
        == 404
    )
    api = reverse("api-care-message-thread", kwargs={"record_id": record.pk, "thread_id": huge})
    assert client.get(api).status_code == 404
