"""Session note pages.

Practitioner side, under the record: /dashboard/practice/clients/<record_id>/notes/ (the
list, a new note, one note with edit, sign, addendum, share and unshare). Only the
record's practitioner writes, and sees only the notes they wrote; a grantee reads the
notes granted to them; staff under break-glass read all. Client side:
/account/care/<record_id>/notes/ lists the notes shared with the client. Anyone else
gets 404. Every read and write is audited (reads of a list audit the record's notes,
a note page audits that note)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.errors import DomainError
from marketplace.clients.notes.forms import AddendumForm, NoteContentForm, NoteCreateForm
from marketplace.clients.notes.selectors import note_for_access, notes_for_access
from marketplace.clients.notes.services import (
    note_add_addendum,
    note_create,
    note_share,
    note_sign,
    note_unshare,
    note_update,
)
from marketplace.clients.notes.sessions import sessions_for
from marketplace.clients.records.pages import (
    audit_read,
    client_side,
    practitioner_side,
    record_frame,
)

_practice_access = practitioner_side
_client_access = client_side


def _author_access(request: HttpRequest, record_id: int):
    access = practitioner_side(request, record_id)
    if access.role != "practitioner":
        raise Http404("No such record.")
    return access


def _audit_read(request, access, *, object_type: str, object_id: int) -> None:
    """A read, saying for a grantee which of their grants it went through."""
    details = None
    if access.role == "grantee":
        details = {"via": "sharing_grant", "grant_ids": list(access.scope.grant_ids)}
    audit_read(request, access, object_type=object_type, object_id=object_id, details=details)


# ---------- practitioner ----------


@login_required
def practice_notes(request: HttpRequest, record_id: int) -> HttpResponse:
    access = _practice_access(request, record_id)
    notes = list(notes_for_access(access))
    _audit_read(request, access, object_type="session_notes", object_id=access.record.pk)
    return render(
        request,
        "clinical_notes/practice_list.html",
        {
            **record_frame(request, access, active="notes"),
            "notes": notes,
            "can_write": access.role == "practitioner",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def practice_note_new(request: HttpRequest, record_id: int) -> HttpResponse:
    access = _author_access(request, record_id)
    record = access.record
    sessions = sessions_for(client_id=record.client_id, practitioner_id=record.practitioner_id)
    form = NoteCreateForm(request.POST or None, sessions=sessions)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                note = note_create(
                    record=record,
                    author=request.user,
                    booking_id=form.cleaned_data["booking"],
                    note_format=form.cleaned_data["format"],
                    content=form.content(),
                    request=request,
                )
            except DomainError as error:
                form.add_error(None, error.detail)
            else:
                messages.success(request, "Draft saved. Sign it when it is complete.")
                return redirect("care-note-practitioner", record_id=record.pk, note_id=note.pk)
        status = 400
    else:
        # The page shows the client's name and sessions: a read of the record.
        audit_read(request, access, details={"section": "notes", "page": "new"})
    return render(
        request,
        "clinical_notes/practice_new.html",
        {
            **record_frame(request, access, active="notes"),
            "form": form,
            "has_sessions": bool(sessions),
        },
        status=status,
    )


def _note_page(request, access, note, *, edit_form=None, addendum_form=None, status=200):
    return render(
        request,
        "clinical_notes/practice_detail.html",
        {
            **record_frame(request, access, active="notes"),
            "note": note,
            "is_author": access.role == "practitioner",
            "edit_form": edit_form,
            "addendum_form": addendum_form or AddendumForm(),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def practice_note(request: HttpRequest, record_id: int, note_id: int) -> HttpResponse:
    """One note. GET shows it (a draft with its edit form, for its author); POST saves a
    draft's text (a signed note: 409 with the reason)."""
    access = _practice_access(request, record_id)
    note = note_for_access(access, note_id)
    is_author = access.role == "practitioner"
    if request.method == "POST":
        if not is_author:
            raise Http404("No such note.")
        form = NoteContentForm(request.POST, note_format=note.format)
        if not form.is_valid():
            return _note_page(request, access, note, edit_form=form, status=400)
        try:
            note = note_update(
                note=note, author=request.user, content=form.content(), request=request
            )
        except DomainError as error:
            messages.error(request, error.detail)
            note = note_for_access(access, note_id)
            return _note_page(request, access, note, status=error.api_status)
        messages.success(request, "Draft saved.")
        return redirect("care-note-practitioner", record_id=record_id, note_id=note.pk)
    _audit_read(
        request,
        access,
        object_type="session_note",
        object_id=note.pk,
    )
    edit_form = None
    if is_author and not note.is_signed:
        edit_form = NoteContentForm(initial=note.content, note_format=note.format)
    return _note_page(request, access, note, edit_form=edit_form)


def _author_action(request, record_id: int, note_id: int, action, success: str):
    access = _author_access(request, record_id)
    note = note_for_access(access, note_id)
    try:
        action(note=note, author=request.user, request=request)
    except DomainError as error:
        messages.error(request, error.detail)
        return _note_page(
            request, access, note_for_access(access, note_id), status=error.api_status
        )
    messages.success(request, success)
    return redirect("care-note-practitioner", record_id=record_id, note_id=note.pk)


@login_required
@require_POST
def practice_note_sign(request: HttpRequest, record_id: int, note_id: int) -> HttpResponse:
    return _author_action(
        request, record_id, note_id, note_sign, "Note signed. It can no longer be changed."
    )


@login_required
@require_POST
def practice_note_share(request: HttpRequest, record_id: int, note_id: int) -> HttpResponse:
    return _author_action(
        request, record_id, note_id, note_share, "Note shared: your client can now read it."
    )


@login_required
@require_POST
def practice_note_unshare(request: HttpRequest, record_id: int, note_id: int) -> HttpResponse:
    return _author_action(
        request, record_id, note_id, note_unshare, "Note no longer shared with your client."
    )


@login_required
@require_POST
def practice_note_addendum(request: HttpRequest, record_id: int, note_id: int) -> HttpResponse:
    access = _author_access(request, record_id)
    note = note_for_access(access, note_id)
    form = AddendumForm(request.POST)
    if not form.is_valid():
        return _note_page(request, access, note, addendum_form=form, status=400)
    try:
        note_add_addendum(
            note=note, author=request.user, body=form.cleaned_data["body"], request=request
        )
    except DomainError as error:
        form.add_error(None, error.detail)
        return _note_page(request, access, note, addendum_form=form, status=error.api_status)
    messages.success(request, "Addendum added and signed.")
    return redirect("care-note-practitioner", record_id=record_id, note_id=note.pk)


# ---------- client ----------


@login_required
def client_notes(request: HttpRequest, record_id: int) -> HttpResponse:
    access = _client_access(request, record_id)
    notes = list(notes_for_access(access))
    _audit_read(request, access, object_type="session_notes", object_id=access.record.pk)
    return render(
        request,
        "clinical_notes/client_list.html",
        {**record_frame(request, access, active="notes"), "notes": notes},
    )


@login_required
def client_note(request: HttpRequest, record_id: int, note_id: int) -> HttpResponse:
    access = _client_access(request, record_id)
    note = note_for_access(access, note_id)
    _audit_read(request, access, object_type="session_note", object_id=note.pk)
    return render(
        request,
        "clinical_notes/client_detail.html",
        {**record_frame(request, access, active="notes"), "note": note},
    )
