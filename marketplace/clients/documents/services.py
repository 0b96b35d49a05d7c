"""Writes for client documents: upload (validate, encrypt, store), share, delete, the
decrypting read, key rotation and the retention purge. Decision 0032.

`document_upload` is also the store behind message attachments (messaging calls it)."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterable, Iterator
from datetime import datetime
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from integrations.kms import get_kms
from integrations.kms.types import KmsDecryptError, KmsError
from marketplace.clients.documents import blobs, crypto
from marketplace.clients.documents.models import ClientDocument
from marketplace.clients.documents.validation import clean_filename, validate_upload
from privacy.audit import audit

logger = logging.getLogger(__name__)

OBJECT_TYPE = "client_document"
TITLE_MAX = 200
UPLOAD_CHUNK_BYTES = 64 * 1024


class DocumentUnreadable(Exception):
    """A stored document cannot be decrypted: its bytes were altered, reordered or cut
    short, or its data key does not unwrap. Shown as a clear error, never a 500."""


def _side_of(record, user) -> str:
    if user.pk == record.client_id:
        return ClientDocument.Side.CLIENT
    if user.pk == record.practitioner.user_id:
        return ClientDocument.Side.PRACTITIONER
    raise ValidationError(
        "Only the record's client and practitioner can add documents.", code="not_a_party"
    )


def _visibility_for(side: str, requested: str | None) -> str:
    if side == ClientDocument.Side.CLIENT:
        # A client's upload is always visible to their practitioner.
        return ClientDocument.Visibility.SHARED_WITH_PRACTITIONER
    if requested in (None, "", ClientDocument.Visibility.PRIVATE):
        return ClientDocument.Visibility.PRIVATE
    if requested == ClientDocument.Visibility.SHARED_WITH_CLIENT:
        return ClientDocument.Visibility.SHARED_WITH_CLIENT
    raise ValidationError(
        "Visibility is private or shared_with_client for a practitioner's upload.",
        code="invalid_visibility",
    )


def _read_chunks(file, digest: Any, counter: list[int], limit: int) -> Iterator[bytes]:
    file.seek(0)
    chunks = file.chunks(UPLOAD_CHUNK_BYTES) if hasattr(file, "chunks") else None
    source: Iterable[bytes] = chunks or iter(lambda: file.read(UPLOAD_CHUNK_BYTES), b"")
    for chunk in source:
        counter[0] += len(chunk)
        if counter[0] > limit:
            raise ValidationError("The file is larger than allowed.", code="too_large")
        digest.update(chunk)
        yield chunk


def document_upload(
    *,
    record,
    uploaded_by,
    file,
    title: str = "",
    visibility: str | None = None,
    request=None,
) -> ClientDocument:
    """Checks `file` by its content (validation.validate_upload), encrypts it with a new
    data key and stores it; returns the saved document. Raises ValidationError (nothing is
    stored) for a refused file, a visibility the uploader's side may not choose, or an
    uploader who is neither the record's client nor its practitioner.

    The blob is written after validation and before the row; if the row cannot be saved
    the blob is deleted. (Were an outer transaction to roll back after this returns, the
    blob would be left without a row: `documents_orphans_purge` removes such blobs.)"""
    side = _side_of(record, uploaded_by)
    chosen_visibility = _visibility_for(side, visibility)
    kind = validate_upload(file)
    filename = clean_filename(getattr(file, "name", ""))
    title = (title or "").strip()[:TITLE_MAX] or filename.rsplit(".", 1)[0][:TITLE_MAX]

    storage_name = f"{blobs.PREFIX}{secrets.token_hex(20)}"
    document = ClientDocument(
        record=record,
        uploaded_by=uploaded_by,
        uploader_side=side,
        visibility=chosen_visibility,
        title=title,
        original_filename=filename,
        content_type=kind.content_type,
        storage_name=storage_name,
        scheme=crypto.SCHEME,
    )
    data_key = get_kms().generate_data_key(context=document.encryption_context())
    digest = hashlib.sha256()
    counter = [0]
    stored_name = blobs.blob_write(
        storage_name,
        crypto.encrypt_chunks(
            data_key.plaintext,
            _read_chunks(file, digest, counter, settings.CLIENT_DOCUMENT_MAX_BYTES),
        ),
    )
    try:
        if stored_name != storage_name:  # pragma: no cover - names are random
            raise RuntimeError("The storage renamed a new document's blob.")
        document.wrapped_key = data_key.wrapped
        document.key_id = data_key.key_id
        document.size = counter[0]
        document.sha256 = digest.hexdigest()
        with transaction.atomic():
            document.save()
            audit(
                actor=uploaded_by,
                action="create",
                subject_user_id=record.client_id,
                object_type=OBJECT_TYPE,
                object_id=document.pk,
                request=request,
                details={"side": side, "visibility": chosen_visibility},
            )
    except BaseException:
        blobs.blob_delete(stored_name)
        raise
    return document


def document_share(
    *, document: ClientDocument, actor, shared: bool, request=None
) -> ClientDocument:
    """Shares a practitioner's upload with the client, or takes it back (audited share or
    revoke). Only the record's practitioner may; a client's upload is always shared."""
    if document.uploader_side != ClientDocument.Side.PRACTITIONER:
        raise ValidationError("A client's upload is always visible to both.", code="not_shareable")
    if actor.pk != document.record.practitioner.user_id:
        raise ValidationError("Only the practitioner can share this document.", code="not_owner")
    target = (
        ClientDocument.Visibility.SHARED_WITH_CLIENT
        if shared
        else ClientDocument.Visibility.PRIVATE
    )
    with transaction.atomic():
        changed = (
            ClientDocument.objects.filter(pk=document.pk, deleted_at__isnull=True)
            .exclude(visibility=target)
            .update(visibility=target)
        )
        document.visibility = target
        if changed:
            audit(
                actor=actor,
                action="share" if shared else "revoke",
                subject_user_id=document.record.client_id,
                object_type=OBJECT_TYPE,
                object_id=document.pk,
                request=request,
            )
    return document


def document_delete(*, document: ClientDocument, actor, request=None) -> ClientDocument:
    """Soft-deletes the uploader's own document: it disappears from every list and link at
    once; the row and blob stay until the retention purge. Audited as an update."""
    if actor.pk != document.uploaded_by_id:
        raise ValidationError(
            "Only the person who uploaded a document can delete it.", code="not_owner"
        )
    with transaction.atomic():
        now = timezone.now()
        changed = ClientDocument.objects.filter(pk=document.pk, deleted_at__isnull=True).update(
            deleted_at=now
        )
        if changed:
            document.deleted_at = now
            audit(
                actor=actor,
                action="update",
                subject_user_id=document.record.client_id,
                object_type=OBJECT_TYPE,
                object_id=document.pk,
                request=request,
                details={"change": "deleted"},
            )
    return document


def _data_key(document: ClientDocument) -> bytes:
    try:
        return get_kms().decrypt_data_key(
            wrapped_key=bytes(document.wrapped_key),
            key_id=document.key_id,
            context=document.encryption_context(),
        )
    except KmsDecryptError as error:
        logger.error("document key does not unwrap", extra={"document_id": document.pk})
        raise DocumentUnreadable("The document's key cannot be opened.") from error


def document_chunks(document: ClientDocument, *, verify_first: bool = True) -> Iterator[bytes]:
    """The plaintext of `document` as an iterator of chunks (at most one 64 KiB frame in
    memory). With `verify_first` (downloads) every frame is authenticated in a first pass
    before this returns, so a damaged file raises DocumentUnreadable here, before a response
    starts, instead of cutting a download short; the second pass then streams. Raises
    KmsError when the key service cannot be reached."""
    if document.scheme != crypto.SCHEME:
        raise DocumentUnreadable(f"Unknown encryption scheme {document.scheme!r}.")
    key = _data_key(document)
    if verify_first:
        try:
            with blobs.blob_reader(document.storage_name) as read:
                for _ in crypto.decrypt_stream(key, read):
                    pass
        except crypto.DocumentIntegrityError as error:
            logger.error("document failed its integrity check", extra={"document_id": document.pk})
            raise DocumentUnreadable(str(error)) from error
        except FileNotFoundError as error:
            raise DocumentUnreadable("The document's stored file is missing.") from error
    return _stream(document.storage_name, key)


def _stream(name: str, key: bytes) -> Iterator[bytes]:
    with blobs.blob_reader(name) as read:
        yield from crypto.decrypt_stream(key, read)


def documents_rewrap(*, dry_run: bool = False, batch_size: int = 200) -> int:
    """Key rotation: re-wraps every data key not under the key service's current master
    key (the encrypted files are not touched). Returns how many were (or, with dry_run,
    would be) re-wrapped. Safe to run again or concurrently: each row changes only if it
    still holds the key it was read with."""
    kms = get_kms()
    current = kms.current_key_id()
    pending = ClientDocument.objects.exclude(key_id=current).order_by("pk")
    if dry_run:
        return pending.count()
    done = 0
    last_pk = 0
    while True:
        batch = list(
            pending.filter(pk__gt=last_pk).only(
                "pk", "record_id", "storage_name", "wrapped_key", "key_id"
            )[:batch_size]
        )
        if not batch:
            return done
        for document in batch:
            last_pk = document.pk
            rewrapped = kms.rewrap_data_key(
                wrapped_key=bytes(document.wrapped_key),
                key_id=document.key_id,
                context=document.encryption_context(),
            )
            done += ClientDocument.objects.filter(pk=document.pk, key_id=document.key_id).update(
                wrapped_key=rewrapped.wrapped, key_id=rewrapped.key_id
            )


def _purge(documents: Iterable[ClientDocument], *, actor=None, action: str) -> int:
    count = 0
    for document in documents:
        with transaction.atomic():
            deleted, _ = ClientDocument.objects.filter(pk=document.pk).delete()
            if deleted:
                audit(
                    actor=actor,
                    action=action,
                    subject_user_id=document.record.client_id,
                    object_type=OBJECT_TYPE,
                    object_id=document.pk,
                )
        if deleted:
            # After the row: a blob without a row is swept; a row without a blob would
            # be a broken link.
            transaction.on_commit(partial(blobs.blob_delete, document.storage_name))
            count += 1
    return count


def documents_retention_purge(*, cutoff: datetime, dry_run: bool = False) -> int:
    """The clinical retention purge: documents soft-deleted before `cutoff`, and every
    document of a record whose newest upload is older than `cutoff` (the record has seen
    no document since the retention period began). Rows and blobs are removed."""
    stale_records = (
        ClientDocument.objects.values("record_id")
        .annotate(newest=Max("created_at"))
        .filter(newest__lt=cutoff)
        .values("record_id")
    )
    due = ClientDocument.objects.filter(
        Q(deleted_at__lt=cutoff) | Q(record_id__in=stale_records)
    ).select_related("record")
    if dry_run:
        return due.count()
    return _purge(due.iterator(chunk_size=200), action="retention_purge")


def documents_orphans_purge(*, older_than: datetime, dry_run: bool = False) -> int:
    """Deletes blobs under the documents prefix that no row names and that are older than
    `older_than` (left behind by an outer transaction that rolled back after upload).
    Returns how many."""
    from filestore import private_storage

    storage = private_storage()
    try:
        _dirs, files = storage.listdir(blobs.PREFIX.rstrip("/"))
    except FileNotFoundError:
        return 0
    names = [f"{blobs.PREFIX}{name}" for name in files]
    known = set(
        ClientDocument.objects.filter(storage_name__in=names).values_list("storage_name", flat=True)
    )
    orphans = []
    for name in names:
        if name in known:
            continue
        try:
            modified = storage.get_modified_time(name)
        except (NotImplementedError, OSError):
            continue
        if modified < older_than:
            orphans.append(name)
    if not dry_run:
        for name in orphans:
            blobs.blob_delete(name)
    return len(orphans)


__all__ = [
    "DocumentUnreadable",
    "KmsError",
    "document_chunks",
    "document_delete",
    "document_share",
    "document_upload",
    "documents_orphans_purge",
    "documents_retention_purge",
    "documents_rewrap",
]
