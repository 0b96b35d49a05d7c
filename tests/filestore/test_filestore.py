"""filestore: the private storage gives no URL of its own, private fields link to their
checked view, and private_file_response streams from disk or redirects to a signed S3
URL, answering 404 (never 500) for names that escape or files that are missing."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.base import ContentFile
from django.http import Http404

from filestore import (
    PrivateFileField,
    PrivateFileSystemStorage,
    PrivateURLError,
    private_file_response,
    private_storage,
    private_storage_reset,
    streams_from_disk,
)
from tests.filestore.s3 import BUCKET, s3_private_storage


@pytest.fixture(autouse=True)
def _private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    private_storage_reset()
    yield
    private_storage_reset()


def test_the_default_is_a_private_folder_outside_the_code(settings, tmp_path):
    storage = private_storage()
    assert isinstance(storage, PrivateFileSystemStorage) and streams_from_disk(storage)
    name = storage.save("notes/a.txt", ContentFile(b"hello"))
    assert (tmp_path / "private" / name).read_bytes() == b"hello"
    with pytest.raises(PrivateURLError):
        storage.url(name)


def test_the_old_dotted_backend_path_still_works(settings):
    settings.PRIVATE_STORAGE = {"BACKEND": "cms.library.storage.PrivateFileSystemStorage"}
    private_storage_reset()
    assert isinstance(private_storage(), PrivateFileSystemStorage)


def test_a_private_field_without_a_checked_view_has_no_url():
    field = PrivateFileField(upload_to="x/")
    assert field.storage is private_storage or field.storage == private_storage()
    field.set_attributes_from_name("document")
    file = field.attr_class(instance=None, field=field, name="x/a.pdf")
    with pytest.raises(PrivateURLError):
        file.url  # noqa: B018


def test_streams_from_disk_with_private_headers():
    name = private_storage().save("docs/report.pdf", ContentFile(b"%PDF-1.4 body"))

    response = private_file_response(name)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 body"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_audio_plays_inline_by_default():
    name = private_storage().save("docs/calm.mp3", ContentFile(b"ID3"))
    assert private_file_response(name)["Content-Disposition"].startswith("inline;")


@pytest.mark.parametrize(
    "name", ["", "../secret.txt", "docs/../../etc/passwd", "/etc/passwd", "docs/missing.pdf"]
)
def test_escaping_or_missing_names_are_404(name):
    private_storage().save("docs/real.pdf", ContentFile(b"%PDF-"))
    with pytest.raises(Http404):
        private_file_response(name)


def test_on_s3_it_redirects_to_a_signed_url_carrying_our_headers(settings):
    with s3_private_storage(settings, max_age=90):
        storage = private_storage()
        assert not streams_from_disk(storage)
        name = storage.save("docs/report.pdf", ContentFile(b"%PDF-1.4"))

        response = private_file_response(name, filename="Report.pdf")
        with pytest.raises(Http404):
            private_file_response("docs/never-written.pdf")

    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    url = urlsplit(response["Location"])
    query = parse_qs(url.query)
    assert BUCKET in url.netloc + url.path and url.path.endswith("/private/docs/report.pdf")
    assert query["X-Amz-Expires"] == ["90"] and query["X-Amz-Signature"]
    assert query["response-content-disposition"] == ['attachment; filename="Report.pdf"']
    assert query["response-content-type"] == ["application/pdf"]
    assert query["response-cache-control"] == ["private, no-store"]
