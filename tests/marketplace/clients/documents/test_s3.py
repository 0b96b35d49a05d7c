"""On S3 (moto, configured like production's PRIVATE_STORAGE): the object in the bucket is
ciphertext only, it is private, and downloads stream from the object's body."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from marketplace.clients.documents.crypto import MAGIC
from marketplace.clients.documents.services import (
    DocumentUnreadable,
    document_chunks,
    document_upload,
)
from tests.filestore.s3 import BUCKET, s3_private_storage
from tests.marketplace.clients.documents import samples
from tests.marketplace.clients.factories import CareRecordFactory

pytestmark = pytest.mark.django_db

CANARY = b"CANARY-s3-9d41e2"


def test_the_bucket_holds_ciphertext_only_and_downloads_decrypt(settings, private_root):
    record = CareRecordFactory()
    content = samples.pdf_of_size(300_000, marker=CANARY)
    with s3_private_storage(settings) as s3:
        document = document_upload(
            record=record,
            uploaded_by=record.client,
            file=SimpleUploadedFile("results.pdf", content),
            title="Results",
        )

        [stored] = s3.list_objects_v2(Bucket=BUCKET)["Contents"]
        assert stored["Key"] == f"private/{document.storage_name}"
        raw = s3.get_object(Bucket=BUCKET, Key=stored["Key"])["Body"].read()
        assert raw.startswith(MAGIC)
        assert CANARY not in raw
        assert b"results" not in stored["Key"].encode()
        grants = s3.get_object_acl(Bucket=BUCKET, Key=stored["Key"])["Grants"]
        assert all("AllUsers" not in str(grant.get("Grantee")) for grant in grants)

        assert b"".join(document_chunks(document)) == content

        tampered = bytearray(raw)
        tampered[200_000] ^= 0x01
        s3.put_object(Bucket=BUCKET, Key=stored["Key"], Body=bytes(tampered))
        with pytest.raises(DocumentUnreadable):
            document_chunks(document)
    assert not private_root.exists()  # nothing was written locally
