"""The private file view: streams to people with access, 404 to everyone else, and on S3
redirects to a short-lived signed URL."""

import boto3
import pytest
from django.core.files.base import ContentFile
from moto import mock_aws

from filestore import PrivateFileSystemStorage, private_storage, private_storage_reset
from tests.accounts.factories import UserFactory
from tests.cms.library.factories import PDF_BYTES, LibraryItemFactory

pytestmark = pytest.mark.django_db


def test_files_are_stored_outside_media_under_a_random_folder(settings):
    item = LibraryItemFactory(worksheet=PDF_BYTES, format="worksheet")
    name = item.worksheet_file.name

    assert name.startswith("library/worksheet/") and len(name.split("/")[2]) == 32
    path = item.worksheet_file.path
    assert path.startswith(str(settings.PRIVATE_MEDIA_ROOT))
    assert not path.startswith(str(settings.MEDIA_ROOT))
    assert item.worksheet_file.url == f"/library/files/{name}"  # the checked view


def test_audio_streams_inline_with_its_type(client):
    item = LibraryItemFactory(format="audio")
    item.audio_file.save("calm.wav", ContentFile(b"RIFF....WAVE"), save=True)

    response = client.get(f"/library/files/{item.audio_file.name}")

    assert response.status_code == 200
    assert response["Content-Type"] == "audio/x-wav"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    "name",
    ["library/worksheet/nope/file.pdf", "../../etc/passwd", "library/../../secret.pdf", ""],
)
def test_unknown_names_are_404(client, name):
    LibraryItemFactory(worksheet=PDF_BYTES)
    assert client.get(f"/library/files/{name}").status_code == 404


def test_files_of_unpublished_items_are_404_even_for_premium(client):
    item = LibraryItemFactory(worksheet=PDF_BYTES)
    item.unpublish()
    client.force_login(UserFactory(is_superuser=True))

    assert client.get(f"/library/files/{item.worksheet_file.name}").status_code == 404


def test_a_file_missing_on_disk_is_404_not_500(client):
    item = LibraryItemFactory(worksheet=PDF_BYTES)
    item.worksheet_file.storage.delete(item.worksheet_file.name)

    assert client.get(f"/library/files/{item.worksheet_file.name}").status_code == 404


def test_the_default_private_storage_is_on_disk():
    assert isinstance(private_storage(), PrivateFileSystemStorage)


@mock_aws
def test_on_s3_the_view_redirects_to_a_short_lived_signed_url(client, settings):
    settings.PRIVATE_DOWNLOAD_URL_MAX_AGE = 120
    settings.AWS_S3_REGION_NAME = "eu-west-2"
    settings.AWS_ACCESS_KEY_ID = "testing"
    settings.AWS_SECRET_ACCESS_KEY = "testing"  # noqa: S105 (moto's fake key)
    boto3.client("s3", region_name="eu-west-2").create_bucket(
        Bucket="aeyia-private", CreateBucketConfiguration={"LocationConstraint": "eu-west-2"}
    )
    settings.PRIVATE_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "aeyia-private",
            "location": "private",
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": settings.PRIVATE_DOWNLOAD_URL_MAX_AGE,
            "file_overwrite": False,
        },
    }
    private_storage_reset()
    try:
        s3 = private_storage()
        name = s3.save("library/worksheet/abc/sheet.pdf", ContentFile(PDF_BYTES))
        item = LibraryItemFactory(access_level="member", worksheet_file=name)

        locked = client.get(f"/library/files/{name}")
        client.force_login(UserFactory())
        still_locked = client.get(f"/library/files/{name}")
        item.access_level = "account"
        item.save_revision().publish()
        opened = client.get(f"/library/files/{name}")
    finally:
        private_storage_reset()

    assert locked.status_code == 404 and still_locked.status_code == 404
    assert opened.status_code == 302
    location = opened["Location"]
    assert "aeyia-private" in location and "private/library/worksheet/abc/sheet.pdf" in location
    assert "X-Amz-Expires=120" in location and "X-Amz-Signature=" in location
    assert opened["Cache-Control"] == "private, no-store"
