"""The document pages and API: upload, list, download (headers, streaming, audit), share
and delete; refused uploads are a clear 400 with nothing stored; a damaged file is a
409, never a 500; strangers get 404 everywhere."""

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from marketplace.clients.documents.models import ClientDocument
from marketplace.clients.documents.services import document_upload
from marketplace.clients.records.models import BreakGlassGrant
from privacy.models import AuditEntry
from tests.accounts.factories import UserFactory, enrol_totp
from tests.marketplace.clients.documents import samples
from tests.marketplace.clients.documents.conftest import stored_blobs
from tests.marketplace.clients.factories import CareRecordFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def record():
    return CareRecordFactory()


def as_practitioner(client, record):
    enrol_totp(record.practitioner.user)
    client.force_login(record.practitioner.user)
    return client


def upload(record, user, name="scan.pdf", content=samples.PDF, **kwargs):
    return document_upload(
        record=record, uploaded_by=user, file=SimpleUploadedFile(name, content), **kwargs
    )


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_client_uploads_on_the_page_and_the_practitioner_downloads_it(client, record):
    client.force_login(record.client)
    page = reverse("care-documents-client", kwargs={"record_id": record.pk})
    content = samples.pdf_of_size(3000, marker=b"lab-result ")

    response = client.post(
        page, {"title": "Lab result", "file": SimpleUploadedFile("lab.pdf", content)}
    )

    assert response.status_code == 302
    document = ClientDocument.objects.get()
    listing = client.get(page)
    assert listing.status_code == 200
    assert "Lab result" in listing.content.decode()

    as_practitioner(client, record)
    practice_page = client.get(
        reverse("care-documents-practitioner", kwargs={"record_id": record.pk})
    )
    assert "Lab result" in practice_page.content.decode()
    download = client.get(
        reverse(
            "care-document-download-practitioner",
            kwargs={"record_id": record.pk, "document_id": document.pk},
        )
    )
    assert download.status_code == 200
    assert download.streaming
    assert body(download) == content
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Length"] == "3000"
    assert download["Content-Disposition"] == 'attachment; filename="lab.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Cache-Control"] == "private, no-store"
    entry = AuditEntry.objects.get(action="download")
    assert (entry.actor_id, entry.object_id) == (record.practitioner.user_id, str(document.pk))


def test_a_practitioners_upload_reaches_the_client_only_once_shared(client, record):
    practitioner = record.practitioner.user
    document = upload(record, practitioner, title="Exercise plan")
    client_download = reverse(
        "care-document-download-client",
        kwargs={"record_id": record.pk, "document_id": document.pk},
    )
    client.force_login(record.client)
    assert client.get(client_download).status_code == 404
    assert (
        "Exercise plan"
        not in client.get(
            reverse("care-documents-client", kwargs={"record_id": record.pk})
        ).content.decode()
    )

    as_practitioner(client, record)
    share = reverse(
        "care-document-share", kwargs={"record_id": record.pk, "document_id": document.pk}
    )
    assert client.post(share, {"shared": "1"}).status_code == 302

    client.force_login(record.client)
    assert body(client.get(client_download)) == samples.PDF
    assert AuditEntry.objects.filter(action="share", object_id=str(document.pk)).exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("invoice.pdf", samples.EXE, "program"),
        ("logo.svg", samples.SVG, "SVG"),
        ("scan.pdf", samples.pdf_of_size(5001), "largest accepted"),
    ],
)
def test_a_refused_upload_on_the_page_is_a_form_error_and_nothing_is_stored(
    client, record, settings, private_root, name, content, message
):
    settings.CLIENT_DOCUMENT_MAX_BYTES = 5000
    client.force_login(record.client)

    response = client.post(
        reverse("care-documents-client", kwargs={"record_id": record.pk}),
        {"file": SimpleUploadedFile(name, content)},
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert not ClientDocument.objects.exists()
    assert stored_blobs(private_root) == []


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("invoice.pdf", samples.EXE, "program"),
        ("logo.svg", samples.SVG, "markup"),
        ("scan.pdf", samples.pdf_of_size(5001), "too_large"),
    ],
)
def test_a_refused_upload_through_the_api_is_a_400_and_nothing_is_stored(
    record, settings, private_root, name, content, code
):
    settings.CLIENT_DOCUMENT_MAX_BYTES = 5000
    api = APIClient()
    api.force_authenticate(record.client)

    response = api.post(
        f"/api/v1/care-records/{record.pk}/documents/",
        {"file": SimpleUploadedFile(name, content)},
        format="multipart",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_document"
    assert response.json()["fields"] == {"file": [code]}
    assert not ClientDocument.objects.exists()
    assert stored_blobs(private_root) == []


def test_the_api_uploads_lists_shares_downloads_and_deletes(record):
    api = APIClient()
    api.force_authenticate(record.practitioner.user)
    base = f"/api/v1/care-records/{record.pk}/documents/"

    created = api.post(
        base,
        {"file": SimpleUploadedFile("plan.pdf", samples.PDF), "title": "Plan"},
        format="multipart",
    )
    assert created.status_code == 201, created.content
    document_id = created.json()["id"]
    assert created.json()["visibility"] == "private"
    assert created.json()["shared_with_client"] is False

    api.force_authenticate(record.client)
    assert api.get(base).json()["results"] == []
    assert api.get(f"{base}{document_id}/download/").status_code == 404

    api.force_authenticate(record.practitioner.user)
    shared = api.patch(f"{base}{document_id}/", {"shared_with_client": True}, format="json")
    assert shared.status_code == 200 and shared.json()["shared_with_client"] is True

    api.force_authenticate(record.client)
    listing = api.get(base).json()
    assert [row["title"] for row in listing["results"]] == ["Plan"]
    download = api.get(f"{base}{document_id}/download/")
    assert download.status_code == 200 and body(download) == samples.PDF
    assert api.delete(f"{base}{document_id}/").status_code == 400  # not the uploader

    api.force_authenticate(record.practitioner.user)
    assert api.delete(f"{base}{document_id}/").status_code == 204
    assert api.get(f"{base}{document_id}/").status_code == 404


def test_a_large_multipart_upload_to_the_api_passes_the_body_limit(record, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    api = APIClient()
    api.force_authenticate(record.client)

    response = api.post(
        f"/api/v1/care-records/{record.pk}/documents/",
        {"file": SimpleUploadedFile("big.pdf", samples.pdf_of_size(50_000))},
        format="multipart",
    )

    assert response.status_code == 201, response.content
    too_large = api.post(
        f"/api/v1/care-records/{record.pk}/documents/",
        {"file": SimpleUploadedFile("big.pdf", samples.pdf_of_size(50_000))},
        format="multipart",
        CONTENT_LENGTH=str(settings.API_MULTIPART_MAX_BYTES + 1),
    )
    assert too_large.status_code == 413


def test_a_tampered_blob_is_a_clear_409_on_the_page_and_the_api(client, record, private_root):
    document = upload(record, record.client, content=samples.pdf_of_size(150_000))
    [blob] = stored_blobs(private_root)
    data = bytearray(blob.read_bytes())
    data[100_000] ^= 0xFF
    blob.write_bytes(bytes(data))
    client.force_login(record.client)

    page = client.get(
        reverse(
            "care-document-download-client",
            kwargs={"record_id": record.pk, "document_id": document.pk},
        )
    )
    assert page.status_code == 409
    assert "failed its integrity check" in page.content.decode()

    api = APIClient()
    api.force_authenticate(record.client)
    response = api.get(f"/api/v1/care-records/{record.pk}/documents/{document.pk}/download/")
    assert response.status_code == 409
    assert json.loads(response.content)["code"] == "document_unreadable"
    assert not AuditEntry.objects.filter(action="download").exists()


def test_strangers_get_404_on_every_document_url(client, record):
    document = upload(record, record.client)
    other_record = CareRecordFactory()
    staff = UserFactory(is_staff=True)
    urls = [
        reverse("care-documents-practitioner", kwargs={"record_id": record.pk}),
        reverse("care-documents-client", kwargs={"record_id": record.pk}),
    ] + [
        reverse(name, kwargs={"record_id": record.pk, "document_id": document.pk})
        for name in (
            "care-document-download-practitioner",
            "care-document-download-client",
            "care-document-share",
            "care-document-delete-practitioner",
            "care-document-delete-client",
        )
    ]
    api_urls = [
        f"/api/v1/care-records/{record.pk}/documents/",
        f"/api/v1/care-records/{record.pk}/documents/{document.pk}/",
        f"/api/v1/care-records/{record.pk}/documents/{document.pk}/download/",
    ]
    enrol_totp(other_record.practitioner.user)
    enrol_totp(staff)
    strangers = [other_record.client, other_record.practitioner.user, staff]
    for stranger in strangers:
        client.force_login(stranger)
        for url in urls:
            assert client.get(url).status_code == 404, (stranger, url)
            assert client.post(url).status_code == 404, (stranger, url)
        api = APIClient()
        api.force_authenticate(stranger)
        for url in api_urls:
            assert api.get(url).status_code == 404, (stranger, url)
    # The client's own side only: the practitioner pages are not theirs, and back.
    client.force_login(record.client)
    assert client.get(urls[0]).status_code == 404
    as_practitioner(client, record)
    assert client.get(urls[1]).status_code == 404
    client.logout()
    assert client.get(urls[2]).status_code == 302  # signed out: sign in first
    assert APIClient().get(api_urls[2]).status_code == 401
    assert not AuditEntry.objects.filter(
        actor_id__in=[user.pk for user in strangers], action__in=["read", "download"]
    ).exists()


def test_staff_under_break_glass_can_read_documents(client, record):
    document = upload(record, record.client)
    staff = UserFactory(is_staff=True)
    BreakGlassGrant.objects.create(
        staff=staff,
        record=record,
        reason="Safety concern",
        started_at=timezone.now(),
        expires_at=timezone.now() + dt.timedelta(minutes=30),
    )
    enrol_totp(staff)
    client.force_login(staff)

    download = client.get(
        reverse(
            "care-document-download-practitioner",
            kwargs={"record_id": record.pk, "document_id": document.pk},
        )
    )
    assert download.status_code == 200
    assert body(download) == samples.PDF


def test_listing_a_record_keeps_a_constant_number_of_queries(
    client, record, django_assert_max_num_queries
):
    as_practitioner(client, record)
    url = reverse("care-documents-practitioner", kwargs={"record_id": record.pk})

    def add(count):
        ClientDocument.objects.bulk_create(
            ClientDocument(
                record=record,
                uploaded_by=record.client,
                uploader_side="client",
                visibility="shared_with_practitioner",
                title=f"Document {n}",
                original_filename=f"d{n}.pdf",
                content_type="application/pdf",
                size=10,
                sha256="0" * 64,
                storage_name=f"client-documents/bulk-{count}-{n}",
                wrapped_key=b"x",
                key_id="test-1",
                scheme="aes256gcm-frames-v1",
            )
            for n in range(count)
        )

    api = APIClient()
    api.force_authenticate(record.practitioner.user)
    api_url = f"/api/v1/care-records/{record.pk}/documents/?limit=100"
    add(5)
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as page_with_5:
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as api_with_5:
        assert len(api.get(api_url).json()["results"]) == 5

    add(495)

    with django_assert_max_num_queries(len(page_with_5.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    assert "Page 1 of 10" in response.content.decode()
    with django_assert_max_num_queries(len(api_with_5.captured_queries)):
        assert len(api.get(api_url).json()["results"]) == 100


def test_a_grantee_downloads_only_the_documents_granted_while_the_grant_lasts(client, record):
    from marketplace.clients.sharing.services import sharing_grant_create, sharing_grant_revoke
    from tests.marketplace.practitioners.factories import PractitionerProfileFactory

    granted = upload(record, record.client, title="MRI report")
    kept_back = upload(record, record.client, title="Diary")
    private = upload(record, record.practitioner.user, title="Practitioner's own")
    colleague = PractitionerProfileFactory(user=UserFactory(roles=["practitioner"]))
    grant = sharing_grant_create(
        record=record,
        client=record.client,
        grantee=colleague,
        items=[("client_documents.ClientDocument", granted.pk)],
        expires_at=timezone.now() + dt.timedelta(days=30),
    )
    enrol_totp(colleague.user)
    client.force_login(colleague.user)

    def download(document):
        return client.get(
            reverse(
                "care-document-download-practitioner",
                kwargs={"record_id": record.pk, "document_id": document.pk},
            )
        )

    page = client.get(reverse("care-documents-practitioner", kwargs={"record_id": record.pk}))
    assert page.status_code == 200
    assert "MRI report" in page.content.decode()
    assert "Diary" not in page.content.decode()
    assert "Add a document" not in page.content.decode()
    assert body(download(granted)) == samples.PDF
    assert download(kept_back).status_code == 404
    assert download(private).status_code == 404

    sharing_grant_revoke(grant=grant, client=record.client)
    assert download(granted).status_code == 404
