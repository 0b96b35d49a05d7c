"""What the documents app registers with the record page and the privacy registries
(called from ClientDocumentsConfig.ready)."""

from __future__ import annotations

from collections.abc import Iterator

from marketplace.clients.documents.models import ClientDocument

MODELS = ("client_documents.ClientDocument",)


def document_files_for_export(user) -> Iterator[tuple[str, Iterator[bytes]]]:
    """(file name, decrypted chunks) for each document in the care records where `user` is
    the client and that they can see (their uploads and what was shared with them). The
    chunks are produced only when iterated, one frame at a time."""
    from marketplace.clients.documents.selectors import documents_of_user

    for document in documents_of_user(user).iterator(chunk_size=200):
        yield f"{document.pk}-{document.original_filename}", _lazy_chunks(document)


def _lazy_chunks(document: ClientDocument) -> Iterator[bytes]:
    from marketplace.clients.documents.services import document_chunks

    yield from document_chunks(document, verify_first=False)


def export_documents(user):
    """The export registry's exporter: documents.json (metadata) and files/…"""
    from marketplace.clients.documents.selectors import documents_of_user
    from privacy.export import json_file

    rows = [
        {
            "id": document.pk,
            "care_record": document.record_id,
            "title": document.title,
            "file_name": document.original_filename,
            "content_type": document.content_type,
            "size": document.size,
            "sha256": document.sha256,
            "uploaded_by": "you" if document.uploaded_by_id == user.pk else "your practitioner",
            "created_at": document.created_at,
            "export_path": f"client_documents/files/{document.pk}-{document.original_filename}",
        }
        for document in documents_of_user(user)
    ]
    yield json_file("client_documents/documents.json", rows)
    for name, chunks in document_files_for_export(user):
        yield f"client_documents/files/{name}", chunks


def retention_purge(*, cutoff, dry_run: bool = False) -> int:
    from marketplace.clients.documents.services import documents_retention_purge

    return documents_retention_purge(cutoff=cutoff, dry_run=dry_run)


def documents_visible_to_client(record):
    """The record's live documents its client can see (their uploads and what was shared
    with them): the ones a client may grant to another practitioner."""
    from marketplace.clients.documents.selectors import CLIENT_VISIBLE

    return ClientDocument.objects.filter(record=record, deleted_at__isnull=True).filter(
        CLIENT_VISIBLE
    )


def _grantee_url(record_id: int, document: ClientDocument) -> str:
    from django.urls import reverse

    return reverse(
        "care-document-download-practitioner",
        kwargs={"record_id": record_id, "document_id": document.pk},
    )


def register_all() -> None:
    from marketplace.clients.records import sections
    from marketplace.clients.sharing.shareables import register_shareable
    from privacy import export, retention
    from privacy.registry import holds_nothing_personal

    sections.register(
        "documents", "Documents", "care-documents-practitioner", "care-documents-client", order=40
    )
    register_shareable(
        model_label="client_documents.ClientDocument",
        label="Documents",
        visible_to_client=documents_visible_to_client,
        describe=lambda document: f"Document: {document.title}",
        url_for_grantee=_grantee_url,
    )
    export.register("client_documents", export_documents, models=MODELS)
    retention.register("clinical_adult", retention_purge, name="client_documents", models=MODELS)
    holds_nothing_personal(
        models=MODELS,
        reason=(
            "clinical documents are kept, encrypted, for the clinical retention period after "
            "an erasure (RETENTION_POLICY) and then removed by the retention purge"
        ),
    )
