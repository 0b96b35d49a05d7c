"""What the notes app registers at start-up: the record section, the shareable notes,
and its part in export and erasure."""

from django.urls import reverse

from privacy.export import json_file
from privacy.export import register as export_register
from privacy.registry import holds_nothing_personal
from privacy.retention import register as retention_register


def export_notes(user):
    """The notes shared with the person as a client (with their addenda). Notes a
    practitioner keeps private are not the client's to take (privacy.export: never
    another person's private notes); what a practitioner wrote about others is not
    their personal data either."""
    from marketplace.clients.notes.models import SessionNote

    notes = (
        SessionNote.objects.filter(record__client=user, shared_at__isnull=False)
        .select_related("record__practitioner")
        .prefetch_related("addenda")
        .order_by("session_starts_at", "pk")
    )
    yield json_file(
        "clinical_notes/shared_notes.json",
        [
            {
                "practitioner": note.record.practitioner.display_name,
                "session": note.session_label,
                "session_starts_at": note.session_starts_at,
                "format": note.format,
                "content": note.content,
                "signed_at": note.signed_at,
                "content_sha256": note.content_sha256,
                "shared_at": note.shared_at,
                "addenda": [
                    {"body": addendum.body, "at": addendum.created_at}
                    for addendum in note.addenda.all()
                ],
            }
            for note in notes
        ],
    )


def _describe(note) -> str:
    when = f"{note.session_starts_at:%d %b %Y}" if note.session_starts_at else "undated"
    return f"Session note, {note.session_label or 'session'} on {when}"


def register() -> None:
    from marketplace.clients.notes.selectors import shared_notes_of_record
    from marketplace.clients.records import sections
    from marketplace.clients.sharing.shareables import register_shareable

    sections.register(
        "notes", "Session notes", "care-notes-practitioner", "care-notes-client", order=30
    )
    register_shareable(
        model_label="clinical_notes.SessionNote",
        label="Session notes",
        visible_to_client=shared_notes_of_record,
        describe=_describe,
        url_for_grantee=lambda record_id, note: reverse(
            "care-note-practitioner", kwargs={"record_id": record_id, "note_id": note.pk}
        ),
    )
    export_register(
        "clinical_notes",
        export_notes,
        models=("clinical_notes.SessionNote", "clinical_notes.NoteAddendum"),
    )
    from marketplace.clients.retention import notes_purge

    models = ("clinical_notes.SessionNote", "clinical_notes.NoteAddendum")
    retention_register("clinical_adult", notes_purge, name="clinical_notes", models=models)
    holds_nothing_personal(
        models=models,
        reason="session notes are clinical records: kept, encrypted, for the clinical "
        "retention period after an erasure (RETENTION_POLICY), then removed by the retention "
        "purge",
    )
