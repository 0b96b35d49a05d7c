"""Reads of client documents, always through an `Access` from records.access.

Who sees what (`document_visible_to`):
- the practitioner: every document in their record (their own private ones, the
  client's uploads);
- the client: their own uploads and the practitioner's uploads shared with them;
- a grantee (record_sharing): what the client sees, further limited by the grant's scope:
  `access.scope.allows(document)` must be true (the sharing app defines the scope);
- staff under break-glass: every document;
- deleted documents: nobody."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from marketplace.clients.documents.models import ClientDocument

CLIENT_VISIBLE = Q(uploader_side=ClientDocument.Side.CLIENT) | Q(
    visibility=ClientDocument.Visibility.SHARED_WITH_CLIENT
)


def document_visible_to(access, document: ClientDocument) -> bool:
    if document.deleted_at is not None or document.record_id != access.record.pk:
        return False
    role = access.role
    if role in ("practitioner", "break_glass"):
        return True
    client_visible = (
        document.uploader_side == ClientDocument.Side.CLIENT
        or document.visibility == ClientDocument.Visibility.SHARED_WITH_CLIENT
    )
    if role == "client":
        return client_visible
    if role == "grantee":
        allows = getattr(access.scope, "allows", None)
        return client_visible and callable(allows) and bool(allows(document))
    return False


def documents_for(access) -> QuerySet[ClientDocument]:
    """The record's documents `access` may see, newest first (no content loaded lazily:
    every column the list shows is on the row)."""
    documents = ClientDocument.objects.filter(record=access.record, deleted_at__isnull=True)
    if access.role in ("practitioner", "break_glass"):
        return documents
    if access.role in ("client", "grantee"):
        documents = documents.filter(CLIENT_VISIBLE)
        if access.role == "grantee":
            allowed = [doc.pk for doc in documents if document_visible_to(access, doc)]
            documents = ClientDocument.objects.filter(pk__in=allowed)
        return documents
    return ClientDocument.objects.none()


def document_for(access, document_id) -> ClientDocument:
    """The document `document_id` in the access's record if the access may see it, else
    Http404 (the same answer as for a document that does not exist)."""
    try:
        pk = int(document_id)
    except (TypeError, ValueError):
        raise Http404("No such document.") from None
    document = (
        ClientDocument.objects.select_related("record", "record__practitioner")
        .filter(pk=pk, record=access.record)
        .first()
    )
    if document is None or not document_visible_to(access, document):
        raise Http404("No such document.")
    return document


def documents_of_user(user) -> QuerySet[ClientDocument]:
    """Every live document in the care records where `user` is the client, plus those
    `user` uploaded elsewhere (the export)."""
    return (
        ClientDocument.objects.filter(deleted_at__isnull=True)
        .filter((Q(record__client=user) & CLIENT_VISIBLE) | Q(uploaded_by=user))
        .order_by("pk")
    )
