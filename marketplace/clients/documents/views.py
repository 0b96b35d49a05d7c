"""Document pages under a care record (decision 0032).

Practitioner side: /dashboard/practice/clients/<record_id>/documents/ (list, upload, share
or unshare their own uploads, delete their own, download). Client side:
/account/care/<record_id>/documents/ (their uploads and what was shared with them; upload,
delete their own, download). Grantees and staff under break-glass read through the
practitioner-side page. Anyone else: 404, decided before the method is looked at (a
stranger's POST-only URL is a 404 too); a signed-out visitor is sent to sign in, like every
account page. The list audits a read of the record's documents; each download is audited."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header

from integrations.kms.types import KmsError
from marketplace.clients.documents.forms import DocumentUploadForm
from marketplace.clients.documents.models import ClientDocument
from marketplace.clients.documents.selectors import document_for, documents_for
from marketplace.clients.documents.services import (
    OBJECT_TYPE,
    DocumentUnreadable,
    document_chunks,
    document_delete,
    document_share,
    document_upload,
)
from marketplace.clients.records.access import record_access
from privacy.audit import audit

PRACTICE_ROLES = ("practitioner", "grantee", "break_glass")
PAGE_SIZE = 50

SIDES = {
    "practitioner": {
        "roles": PRACTICE_ROLES,
        "template": "client_documents/practice_list.html",
        "list": "care-documents-practitioner",
        "download": "care-document-download-practitioner",
    },
    "client": {
        "roles": ("client",),
        "template": "client_documents/client_list.html",
        "list": "care-documents-client",
        "download": "care-document-download-client",
    },
}


def _access(request: HttpRequest, record_id: int, side: str):
    access = record_access(user=request.user, record_id=record_id)
    if access.role not in SIDES[side]["roles"]:
        raise Http404("No such record.")
    return access


def _can_upload(access) -> bool:
    return access.role in ("client", "practitioner")


def _list_page(request: HttpRequest, record_id: int, side: str) -> HttpResponse:
    access = _access(request, record_id, side)
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    record = access.record
    form = None
    if _can_upload(access):
        form = DocumentUploadForm(request.POST or None, request.FILES or None, side=access.role)
    if request.method == "POST":
        if form is None:
            raise Http404("No such record.")
        if form.is_valid():
            try:
                document = document_upload(
                    record=record,
                    uploaded_by=request.user,
                    file=form.cleaned_data["file"],
                    title=form.cleaned_data.get("title", ""),
                    visibility=form.cleaned_data.get("visibility"),
                    request=request,
                )
            except ValidationError as error:
                form.add_error("file", error)
            except KmsError:
                form.add_error(
                    None, "Documents cannot be stored just now. Please try again in a minute."
                )
            else:
                messages.success(request, f"“{document.title}” was uploaded.")
                return redirect(SIDES[side]["list"], record_id=record.pk)
    paginator = Paginator(documents_for(access), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    audit(
        actor=request.user,
        action="read",
        subject_user_id=record.client_id,
        object_type="client_documents",
        object_id=record.pk,
        request=request,
    )
    status = 400 if form is not None and form.is_bound and form.errors else 200
    return render(
        request,
        SIDES[side]["template"],
        {
            "record": record,
            "access": access,
            "page": page,
            "documents": page.object_list,
            "form": form,
            "download_url_name": SIDES[side]["download"],
            "max_mb": settings.CLIENT_DOCUMENT_MAX_BYTES // 1_000_000,
            "user_id": request.user.pk,
        },
        status=status,
    )


@login_required
def practice_documents(request: HttpRequest, record_id: int) -> HttpResponse:
    return _list_page(request, record_id, "practitioner")


@login_required
def client_documents(request: HttpRequest, record_id: int) -> HttpResponse:
    return _list_page(request, record_id, "client")


def streaming_download(document: ClientDocument, chunks) -> StreamingHttpResponse:
    """The decrypted file as an attachment: never rendered by the browser, never cached."""
    response = StreamingHttpResponse(chunks, content_type=document.content_type)
    response["Content-Length"] = str(document.size)
    response["Content-Disposition"] = content_disposition_header(True, document.original_filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _download(request: HttpRequest, record_id: int, document_id: int, side: str):
    access = _access(request, record_id, side)
    document = document_for(access, document_id)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET"])
    try:
        chunks = document_chunks(document)
    except DocumentUnreadable:
        return render(
            request,
            "client_documents/unreadable.html",
            {"record": access.record, "document": document, "side": side},
            status=409,
        )
    except KmsError:
        return render(
            request,
            "client_documents/unreadable.html",
            {"record": access.record, "document": document, "side": side, "unavailable": True},
            status=503,
        )
    audit(
        actor=request.user,
        action="download",
        subject_user_id=access.record.client_id,
        object_type=OBJECT_TYPE,
        object_id=document.pk,
        request=request,
        details={"role": access.role},
    )
    return streaming_download(document, chunks)


@login_required
def practice_document_download(request, record_id: int, document_id: int):
    return _download(request, record_id, document_id, "practitioner")


@login_required
def client_document_download(request, record_id: int, document_id: int):
    return _download(request, record_id, document_id, "client")


@login_required
def practice_document_share(request, record_id: int, document_id: int):
    access = _access(request, record_id, "practitioner")
    if access.role != "practitioner":
        raise Http404("No such document.")
    document = document_for(access, document_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    shared = request.POST.get("shared") == "1"
    try:
        document_share(document=document, actor=request.user, shared=shared, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"“{document.title}” is {'now shared with' if shared else 'no longer shared with'} "
            "your client.",
        )
    return redirect("care-documents-practitioner", record_id=access.record.pk)


def _delete(request, record_id: int, document_id: int, side: str):
    access = _access(request, record_id, side)
    document = document_for(access, document_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        document_delete(document=document, actor=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"“{document.title}” was deleted.")
    return redirect(SIDES[side]["list"], record_id=access.record.pk)


@login_required
def practice_document_delete(request, record_id: int, document_id: int):
    return _delete(request, record_id, document_id, "practitioner")


@login_required
def client_document_delete(request, record_id: int, document_id: int):
    return _delete(request, record_id, document_id, "client")
