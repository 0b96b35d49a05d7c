"""Private files: storage that never hands out a public URL, and the one way to serve them.

Anything that must not be reachable by guessing an address (locked library files,
practitioners' credential documents, later clients' documents) is stored through
`private_storage()`, whose backend comes from settings.PRIVATE_STORAGE: a folder under
PRIVATE_MEDIA_ROOT in development and tests, a private S3 bucket (or prefix) in
production. Files are reached only through a view that checks who is asking and then calls
`private_file_response`, which streams the file from disk or redirects to a URL S3 signs
for PRIVATE_DOWNLOAD_URL_MAX_AGE seconds.

This package imports no project package (import-linter contract), so every layer may use
it; it reads only Django settings.
"""

from __future__ import annotations

import inspect
import mimetypes
import os
from collections.abc import Callable
from functools import cache
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import FileSystemStorage, Storage
from django.db import models
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.utils.module_loading import import_string

__all__ = [
    "PrivateFileField",
    "PrivateFileSystemStorage",
    "PrivateURLError",
    "private_file_response",
    "private_storage",
    "streams_from_disk",
]

DEFAULT_BACKEND = "filestore.PrivateFileSystemStorage"


class PrivateURLError(ValueError):
    """A private file was asked for a direct URL; link to its checked view instead."""


class PrivateFileSystemStorage(FileSystemStorage):
    """Files under settings.PRIVATE_MEDIA_ROOT (read at each use, so tests can point it at
    a temporary folder). It has no URL: `url()` raises, because a static path would
    bypass the permission check. Callers link to their own checked view."""

    def __init__(self, location=None, **kwargs):
        kwargs.pop("base_url", None)
        super().__init__(location=location, base_url=None, **kwargs)

    @property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise PrivateURLError("Private files have no public URL; link to a checked view.")


@cache
def _build_private_storage() -> Storage:
    config = getattr(settings, "PRIVATE_STORAGE", None) or {"BACKEND": DEFAULT_BACKEND}
    return import_string(config["BACKEND"])(**config.get("OPTIONS", {}))


def private_storage() -> Storage:
    """The private storage. A callable, so FileFields keep the backend out of migrations
    (`storage=private_storage`) and the choice follows settings."""
    return _build_private_storage()


def private_storage_reset() -> None:
    """Forget the built storage (tests that switch PRIVATE_STORAGE call this)."""
    _build_private_storage.cache_clear()


def streams_from_disk(storage: Storage) -> bool:
    """Whether a checked view streams the file itself (a local folder) or redirects to a
    signed URL the storage makes (S3)."""
    return isinstance(storage, FileSystemStorage)


class PrivateFieldFile(FieldFile):
    """`.url` is the field's checked view (never the storage's address)."""

    def _get_url(self) -> str:
        self._require_file()  # type: ignore[attr-defined]
        url_for = getattr(self.field, "checked_url", None)
        if url_for is None:
            raise PrivateURLError("Private files have no public URL; link to a checked view.")
        return url_for(self)

    url = property(_get_url)  # type: ignore[assignment]


class PrivateFileField(models.FileField):
    """A FileField on the private storage whose `.url` is the checked view that serves
    it: `checked_url(field_file) -> str`, e.g. a `reverse()` of the app's own download
    view. Without one, `.url` raises PrivateURLError. `checked_url` is presentation,
    not schema, so it stays out of migrations."""

    attr_class = PrivateFieldFile

    def __init__(
        self,
        *args: Any,
        checked_url: Callable[[FieldFile], str] | None = None,
        **kwargs: Any,
    ) -> None:
        storage = kwargs.pop("storage", private_storage)
        self.checked_url = checked_url
        super().__init__(*args, **kwargs)
        if callable(storage):
            self._storage_callable = storage
        else:
            self._storage = storage

    # The storage callable is asked at each use, not once at import, so the backend is
    # always the one settings.PRIVATE_STORAGE names now (tests switch it to S3).
    @property  # type: ignore[override]
    def storage(self) -> Storage:
        storage_callable = getattr(self, "_storage_callable", None)
        return storage_callable() if storage_callable is not None else self._storage

    @storage.setter
    def storage(self, value: Storage) -> None:
        self._storage = value


def _signed_url(storage: Storage, name: str, *, disposition: str, content_type: str) -> str:
    """The storage's signed URL, asking S3 to answer with our headers where it can."""
    try:
        accepts_parameters = "parameters" in inspect.signature(storage.url).parameters
    except (TypeError, ValueError):
        accepts_parameters = False
    if accepts_parameters:
        return storage.url(  # type: ignore[call-arg]
            name,
            parameters={
                "ResponseContentDisposition": disposition,
                "ResponseContentType": content_type,
                "ResponseCacheControl": "private, no-store",
            },
        )
    return storage.url(name)


def _disposition(filename: str, *, as_attachment: bool) -> str:
    from django.utils.http import content_disposition_header

    return content_disposition_header(as_attachment, filename) or "inline"


def private_file_response(
    name: str,
    *,
    storage: Storage | None = None,
    as_attachment: bool | None = None,
    filename: str | None = None,
) -> HttpResponseBase:
    """The answer a checked view gives once it has decided the caller may have `name`.

    On a local folder the file is streamed (Cache-Control: private, no-store; nosniff);
    on S3 the answer is a redirect to a short-lived signed URL that makes S3 send the
    same disposition, type and caching headers. A name that escapes its folder or a file
    that is missing is a 404, never a 500. `as_attachment` defaults to True except for
    audio and video, which play inline."""
    if not name or name.startswith("/") or ".." in PurePosixPath(name).parts:
        raise Http404("No such file.")
    storage = storage if storage is not None else private_storage()
    filename = filename or PurePosixPath(name).name
    content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    if as_attachment is None:
        as_attachment = not content_type.startswith(("audio/", "video/"))
    if not streams_from_disk(storage):
        if not storage.exists(name):
            raise Http404("No such file.")
        url = _signed_url(
            storage,
            name,
            disposition=_disposition(filename, as_attachment=as_attachment),
            content_type=content_type,
        )
        redirect = HttpResponseRedirect(url)
        redirect["Cache-Control"] = "private, no-store"
        return redirect
    try:
        handle = storage.open(name, "rb")
    except (FileNotFoundError, IsADirectoryError, SuspiciousFileOperation) as error:
        raise Http404("No such file.") from error
    response = FileResponse(
        handle, content_type=content_type, as_attachment=as_attachment, filename=filename
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
