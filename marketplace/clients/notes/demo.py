"""Demo session note for the embedded default (idempotent): the practitioner's SOAP note
about one of the demo client's sessions, written, signed and shared through the notes
services."""

from marketplace.clients.notes.models import SessionNote
from marketplace.clients.notes.services import note_create, note_share, note_sign
from marketplace.clients.records.models import CareRecord

DEMO_NOTE = {
    "subjective": (
        "Clara describes a stressful few months at work and difficulty switching off in "
        "the evening; sleep broken most nights."
    ),
    "objective": "Engaged and reflective; settled by the end of the session.",
    "assessment": "Work-related stress with rumination at bedtime; no risk concerns raised.",
    "plan": (
        "Practise the grounding exercise (sheet shared) each evening this week; review "
        "sleep and what helped next session."
    ),
}


def seed_session_note(*, record: CareRecord, booking_id: int) -> SessionNote:
    """The practitioner's note about `booking_id`, signed and shared with the client;
    a note the practitioner already has about that session is only signed and shared if
    it is not yet."""
    author = record.practitioner.user
    note = SessionNote.objects.filter(record=record, booking_id=booking_id, author=author).first()
    if note is None:
        note = note_create(
            record=record,
            author=author,
            booking_id=booking_id,
            note_format=SessionNote.Format.SOAP,
            content=DEMO_NOTE,
        )
    if not note.is_signed:
        note = note_sign(note=note, author=author)
    return note_share(note=note, author=author)
