"""Private storage for locked library files (and anything else that must never have a
public URL).

The backend comes from settings.PRIVATE_STORAGE: on disk under PRIVATE_MEDIA_ROOT in
development and tests, a private S3 bucket with short-lived signed URLs in production.
Callers never hand out `storage.url()` directly; they link to the permission-checked view
(`library-file`), which streams from disk or redirects to a freshly signed URL.
"""

import os
from functools import cache

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage
from django.urls import reverse
from django.utils.module_loading import import_string


class PrivateFileSystemStorage(FileSystemStorage):
    """Files under PRIVATE_MEDIA_ROOT (read at use, so tests can point it elsewhere).
    Its URLs are the permission-checked download view, never a static path."""

    @property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        return reverse("library-file", kwargs={"name": name})


@cache
def _build_private_storage() -> Storage:
    config = getattr(settings, "PRIVATE_STORAGE", None) or {
        "BACKEND": "cms.library.storage.PrivateFileSystemStorage"
    }
    return import_string(config["BACKEND"])(**config.get("OPTIONS", {}))


def private_storage() -> Storage:
    """The private storage (a callable so FileFields keep it out of migrations)."""
    return _build_private_storage()


def streams_from_disk(storage: Storage) -> bool:
    """Whether the download view streams the file itself (local disk) or redirects to a
    signed URL the storage makes (S3)."""
    return isinstance(storage, FileSystemStorage)
