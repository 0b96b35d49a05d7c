"""Which notes a viewer of a record may read. Private to the author: the record's
practitioner sees the notes they wrote; the client sees those shared with them; a
grantee sees those in their grant's scope that the client can still see; staff under
break-glass see all of the record's notes. Anyone else gets nothing (and the views 404)."""

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from marketplace.clients.notes.models import NoteAddendum, SessionNote

NOTE_LABEL = "clinical_notes.SessionNote"


def notes_for_access(access) -> QuerySet[SessionNote]:
    notes = SessionNote.objects.filter(record=access.record).prefetch_related(
        Prefetch("addenda", queryset=NoteAddendum.objects.order_by("created_at", "pk"))
    )
    role = access.role
    if role == "practitioner":
        return notes.filter(author_id=access.record.practitioner.user_id)
    if role == "client":
        return notes.filter(shared_at__isnull=False)
    if role == "grantee":
        scope = access.scope
        ids = scope.ids_for(NOTE_LABEL) if scope is not None else frozenset()
        return notes.filter(shared_at__isnull=False, pk__in=list(ids))
    if role == "break_glass":
        return notes
    return notes.none()


def note_for_access(access, note_id) -> SessionNote:
    """The note if this viewer may read it, else Http404."""
    try:
        pk = int(note_id)
    except (TypeError, ValueError):
        raise Http404("No such note.") from None
    note = notes_for_access(access).filter(pk=pk).first()
    if note is None:
        raise Http404("No such note.")
    return note


def shared_notes_of_record(record) -> QuerySet[SessionNote]:
    """The record's notes its client can see (shared with them)."""
    return SessionNote.objects.filter(record=record, shared_at__isnull=False)
