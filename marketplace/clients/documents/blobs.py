"""The encrypted bytes in the private storage (`filestore.private_storage()`): written from
a bounded spool, read as a stream, deleted. Nothing here knows keys or plaintext."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from typing import Any

from django.core.files import File

from filestore import private_storage

SPOOL_BYTES = 1024 * 1024
PREFIX = "client-documents/"


def blob_write(name: str, chunks: Iterable[bytes]) -> str:
    """Writes `chunks` under `name` and returns the stored name. The ciphertext passes
    through a spool that keeps at most SPOOL_BYTES in memory (the rest on local disk;
    it is ciphertext) so a large file never sits whole in memory; S3 uploads it in parts."""
    storage = private_storage()
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
        for chunk in chunks:
            spool.write(chunk)
        spool.seek(0)
        return storage.save(name, File(spool, name=name))


@contextmanager
def blob_reader(name: str):
    """A `read(n)` callable over the stored bytes. On S3 it reads the object's streaming
    body directly (django-storages' S3File would first download the whole object into
    memory); elsewhere the storage's own file."""
    storage = private_storage()
    bucket = getattr(storage, "bucket", None)
    normalize: Callable[[str], str] | None = getattr(storage, "_normalize_name", None)
    if bucket is not None and normalize is not None:
        body: Any = bucket.Object(normalize(name)).get()["Body"]
        try:
            yield body.read
        finally:
            body.close()
        return
    with storage.open(name, "rb") as handle:
        yield handle.read


def blob_delete(name: str) -> None:
    private_storage().delete(name)


def blob_exists(name: str) -> bool:
    return private_storage().exists(name)
