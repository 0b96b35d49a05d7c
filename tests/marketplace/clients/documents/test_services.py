"""The document store: upload encrypts before writing, downloads decrypt and verify,
large files stream in bounded memory, tampering is a clean DocumentUnreadable, refused
uploads leave nothing behind, rotation re-wraps keys without touching files."""

import base64
import hashlib
import os
import tracemalloc

import pytest
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError

from marketplace.clients.documents import services
from marketplace.clients.documents.models import ClientDocument
from marketplace.clients.documents.services import (
    DocumentUnreadable,
    document_chunks,
    document_delete,
    document_share,
    document_upload,
    documents_rewrap,
)
from privacy.models import AuditEntry
from tests.accounts.factories import UserFactory
from tests.marketplace.clients.documents import samples
from tests.marketplace.clients.documents.conftest import stored_blobs
from tests.marketplace.clients.factories import CareRecordFactory

pytestmark = pytest.mark.django_db

TEN_MB = 10 * 1024 * 1024


def read_all(document) -> bytes:
    return b"".join(document_chunks(document))


def upload_pdf(record, user, content=samples.PDF, **kwargs):
    return document_upload(
        record=record,
        uploaded_by=user,
        file=SimpleUploadedFile("Scan 1.pdf", content),
        **kwargs,
    )


def test_a_small_document_round_trips_and_is_stored_encrypted(private_root):
    record = CareRecordFactory()
    content = samples.pdf_of_size(5000, marker=b"CANARY-7f3a")

    document = upload_pdf(record, record.client, content=content, title="Blood test")

    document.refresh_from_db()
    assert document.title == "Blood test"
    assert document.original_filename == "Scan 1.pdf"
    assert document.content_type == "application/pdf"
    assert document.size == 5000
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.uploader_side == "client"
    assert document.visibility == "shared_with_practitioner"
    assert document.key_id == "test-1"
    [blob] = stored_blobs(private_root)
    assert blob.name == document.storage_name.split("/")[-1]
    assert b"CANARY-7f3a" not in blob.read_bytes()
    assert read_all(document) == content
    entry = AuditEntry.objects.get(object_type="client_document")
    assert (entry.action, entry.actor_id, entry.subject_user_id) == (
        "create",
        record.client_id,
        record.client_id,
    )


def test_a_practitioner_upload_is_private_until_shared():
    record = CareRecordFactory()
    practitioner = record.practitioner.user

    document = upload_pdf(record, practitioner)
    assert document.visibility == "private"
    document_share(document=document, actor=practitioner, shared=True)
    assert ClientDocument.objects.get().visibility == "shared_with_client"
    document_share(document=document, actor=practitioner, shared=False)
    assert ClientDocument.objects.get().visibility == "private"
    assert list(
        AuditEntry.objects.filter(object_type="client_document")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["create", "share", "revoke"]


def test_only_the_uploader_deletes_and_the_row_stays_until_the_purge(private_root):
    record = CareRecordFactory()
    document = upload_pdf(record, record.client)

    with pytest.raises(ValidationError):
        document_delete(document=document, actor=record.practitioner.user)
    document_delete(document=document, actor=record.client)

    assert ClientDocument.objects.get().deleted_at is not None
    assert len(stored_blobs(private_root)) == 1


def test_someone_outside_the_record_cannot_upload(private_root):
    record = CareRecordFactory()
    with pytest.raises(ValidationError) as raised:
        upload_pdf(record, UserFactory())
    assert raised.value.code == "not_a_party"
    assert not ClientDocument.objects.exists()
    assert stored_blobs(private_root) == []


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("invoice.pdf", samples.EXE),
        ("drawing.svg", samples.SVG),
        ("big.pdf", samples.pdf_of_size(2001)),
    ],
)
def test_a_refused_upload_stores_nothing(private_root, settings, name, content):
    settings.CLIENT_DOCUMENT_MAX_BYTES = 2000
    record = CareRecordFactory()

    with pytest.raises(ValidationError):
        document_upload(
            record=record,
            uploaded_by=record.client,
            file=SimpleUploadedFile(name, content),
            title="",
        )

    assert not ClientDocument.objects.exists()
    assert stored_blobs(private_root) == []
    assert not AuditEntry.objects.filter(object_type="client_document").exists()


def test_a_failed_database_write_deletes_the_blob(private_root, monkeypatch):
    record = CareRecordFactory()

    def refuse(self, *args, **kwargs):
        raise IntegrityError("simulated")

    monkeypatch.setattr(ClientDocument, "save", refuse)
    with pytest.raises(IntegrityError):
        upload_pdf(record, record.client)

    assert stored_blobs(private_root) == []


def test_a_flipped_byte_in_the_stored_blob_is_unreadable_not_garbage(private_root):
    record = CareRecordFactory()
    document = upload_pdf(record, record.client, content=samples.pdf_of_size(200_000))
    [blob] = stored_blobs(private_root)
    data = bytearray(blob.read_bytes())
    data[150_000] ^= 0x01
    blob.write_bytes(bytes(data))

    with pytest.raises(DocumentUnreadable):
        document_chunks(document)


def test_a_wrapped_key_moved_to_another_document_does_not_open(private_root):
    record = CareRecordFactory()
    first = upload_pdf(record, record.client)
    second = upload_pdf(record, record.client)
    ClientDocument.objects.filter(pk=second.pk).update(wrapped_key=first.wrapped_key)
    second.refresh_from_db()

    with pytest.raises(DocumentUnreadable):
        document_chunks(second)


def test_rotation_rewraps_every_key_and_files_still_decrypt(settings, private_root):
    record = CareRecordFactory()
    contents = [samples.pdf_of_size(1000 + n, marker=b"%d" % n) for n in range(3)]
    documents = [upload_pdf(record, record.client, content=content) for content in contents]
    blobs_before = {path.name: path.read_bytes() for path in stored_blobs(private_root)}
    old = settings.KMS_LOCAL_MASTER_KEYS[0]
    settings.KMS_LOCAL_MASTER_KEYS = [f"test-2={base64.b64encode(os.urandom(32)).decode()}", old]

    assert documents_rewrap(dry_run=True) == 3
    assert documents_rewrap() == 3
    assert documents_rewrap() == 0

    settings.KMS_LOCAL_MASTER_KEYS = settings.KMS_LOCAL_MASTER_KEYS[:1]  # old key gone
    for document, content in zip(documents, contents, strict=True):
        document.refresh_from_db()
        assert document.key_id == "test-2"
        assert read_all(document) == content
    assert {path.name: path.read_bytes() for path in stored_blobs(private_root)} == blobs_before


def test_the_kms_rotate_command_reports_and_rewraps(settings, capsys):
    from django.core.management import call_command

    record = CareRecordFactory()
    document = upload_pdf(record, record.client)
    old = settings.KMS_LOCAL_MASTER_KEYS[0]
    settings.KMS_LOCAL_MASTER_KEYS = [f"test-3={base64.b64encode(os.urandom(32)).decode()}", old]

    call_command("kms_rotate", "--dry-run")
    assert "1 data key would be re-wrapped" in capsys.readouterr().out
    call_command("kms_rotate")
    assert "1 data key re-wrapped under test-3" in capsys.readouterr().out
    document.refresh_from_db()
    assert document.key_id == "test-3"


def test_ten_megabytes_stream_in_and_out_in_bounded_memory(tmp_path):
    record = CareRecordFactory()
    source = tmp_path / "big.pdf"
    digest = hashlib.sha256()
    with source.open("wb") as handle:
        handle.write(b"%PDF-1.7\n")
        digest.update(b"%PDF-1.7\n")
        block = os.urandom(64 * 1024)
        written = 9
        while written < TEN_MB:
            piece = block[: TEN_MB - written]
            handle.write(piece)
            digest.update(piece)
            written += len(piece)

    tracemalloc.start()
    try:
        with source.open("rb") as handle:
            document = document_upload(
                record=record, uploaded_by=record.client, file=File(handle, name="big.pdf")
            )
        _, upload_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        out = hashlib.sha256()
        size = 0
        for chunk in document_chunks(document):
            out.update(chunk)
            size += len(chunk)
        _, download_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert document.size == TEN_MB == size
    assert out.hexdigest() == digest.hexdigest() == document.sha256
    # Bounded by the 1 MiB spool and a few 64 KiB frames, not by the 10 MiB file.
    assert upload_peak < 3 * 1024 * 1024, upload_peak
    assert download_peak < 1024 * 1024, download_peak


def test_retention_purge_removes_old_rows_and_blobs(
    private_root, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    record = CareRecordFactory()
    document = upload_pdf(record, record.client)
    recent_record = CareRecordFactory()
    upload_pdf(recent_record, recent_record.client)
    ClientDocument.objects.filter(pk=document.pk).update(
        created_at=timezone.now() - timedelta(days=365 * 8)
    )
    cutoff = timezone.now() - timedelta(days=365 * 7)

    assert services.documents_retention_purge(cutoff=cutoff, dry_run=True) == 1
    assert ClientDocument.objects.count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert services.documents_retention_purge(cutoff=cutoff) == 1

    assert list(ClientDocument.objects.values_list("record_id", flat=True)) == [recent_record.pk]
    assert len(stored_blobs(private_root)) == 1
    assert AuditEntry.objects.filter(action="retention_purge", object_id=str(document.pk)).exists()
