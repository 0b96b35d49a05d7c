"""Writes for session notes. Only the record's practitioner writes, and only their own
notes; every write is audited (privacy.audit) with ids, never content."""

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from marketplace.clients.notes.errors import NoteConflict, NoteInvalid, NoteNotFound
from marketplace.clients.notes.models import (
    SOAP_FIELDS,
    NoteAddendum,
    SessionNote,
    content_sha256,
)
from marketplace.clients.notes.sessions import sessions_for
from privacy.audit import audit

FIELD_MAX_LENGTH = 20_000


def clean_content(*, note_format: str, content: dict) -> dict:
    """The content for `note_format`, stripped, each field at most FIELD_MAX_LENGTH
    characters; unknown keys are dropped."""
    if note_format not in SessionNote.Format.values:
        raise NoteInvalid("format must be free or soap.", code="invalid_format")
    if not isinstance(content, dict):
        raise NoteInvalid("content must be an object.", code="invalid_content")
    names = SOAP_FIELDS if note_format == SessionNote.Format.SOAP else ("text",)
    cleaned = {}
    for name in names:
        value = content.get(name, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise NoteInvalid(f"{name} must be text.", code="invalid_content")
        value = value.replace("\r\n", "\n").strip()
        if len(value) > FIELD_MAX_LENGTH:
            raise NoteInvalid(
                f"{name} is longer than {FIELD_MAX_LENGTH} characters.", code="too_long"
            )
        cleaned[name] = value
    return cleaned


def _require_author(note: SessionNote, author: User) -> None:
    if note.author_id != author.pk:
        # Private to the author: nobody else learns that the note exists.
        raise NoteNotFound("No such note.")


def _audit(note_or_addendum, *, actor: User, action: str, object_type: str, request, details=None):
    record = note_or_addendum.record if hasattr(note_or_addendum, "record") else None
    subject = record.client_id if record is not None else note_or_addendum.note.record.client_id
    audit(
        actor=actor,
        action=action,
        subject_user_id=subject,
        object_type=object_type,
        object_id=note_or_addendum.pk,
        request=request,
        details=details,
    )


@transaction.atomic
def note_create(
    *, record, author: User, booking_id: int, note_format: str, content: dict, request=None
) -> SessionNote:
    """A draft note by the record's practitioner about one of the pair's sessions."""
    if record.practitioner.user_id != author.pk:
        raise NoteInvalid("Only the client's practitioner writes notes here.", code="not_author")
    content = clean_content(note_format=note_format, content=content)
    session = next(
        (
            ref
            for ref in sessions_for(
                client_id=record.client_id, practitioner_id=record.practitioner_id
            )
            if ref.booking_id == booking_id
        ),
        None,
    )
    if session is None:
        raise NoteInvalid("Choose one of this client's sessions.", code="invalid_session")
    note = SessionNote.objects.create(
        record=record,
        booking_id=session.booking_id,
        session_starts_at=session.starts_at,
        session_label=session.label[:200],
        author=author,
        format=note_format,
        content=content,
    )
    _audit(note, actor=author, action="create", object_type="session_note", request=request)
    return note


def _lock(note: SessionNote) -> SessionNote:
    return SessionNote.objects.select_for_update().select_related("record").get(pk=note.pk)


@transaction.atomic
def note_update(*, note: SessionNote, author: User, content: dict, request=None) -> SessionNote:
    """Changes a draft. A signed note is locked: 409 `note_signed` (add an addendum)."""
    note = _lock(note)
    _require_author(note, author)
    if note.is_signed:
        raise NoteConflict(
            "This note is signed and can no longer be edited; add an addendum instead.",
            code="note_signed",
        )
    note.content = clean_content(note_format=note.format, content=content)
    note.save(update_fields=["content", "updated_at"])
    _audit(note, actor=author, action="update", object_type="session_note", request=request)
    return note


@transaction.atomic
def note_sign(*, note: SessionNote, author: User, request=None) -> SessionNote:
    """Signs (locks) a draft and stores the SHA-256 of its content. Signing a signed
    note → 409 `note_signed`; an empty note → 400 `note_empty`."""
    note = _lock(note)
    _require_author(note, author)
    if note.is_signed:
        raise NoteConflict("This note is already signed.", code="note_signed")
    if not any((value or "").strip() for value in (note.content or {}).values()):
        raise NoteInvalid("Write the note before signing it.", code="note_empty")
    note.status = SessionNote.Status.SIGNED
    note.signed_at = timezone.now()
    note.content_sha256 = note.computed_sha256()
    note.save(update_fields=["status", "signed_at", "content_sha256", "updated_at"])
    _audit(note, actor=author, action="sign", object_type="session_note", request=request)
    return note


@transaction.atomic
def note_add_addendum(*, note: SessionNote, author: User, body: str, request=None) -> NoteAddendum:
    """Appends a signed addendum to a signed note (a draft is edited instead: 409
    `note_not_signed`)."""
    note = _lock(note)
    _require_author(note, author)
    if not note.is_signed:
        raise NoteConflict(
            "Addenda are added to signed notes; edit the draft instead.", code="note_not_signed"
        )
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise NoteInvalid("Write the addendum.", code="addendum_empty")
    if len(body) > FIELD_MAX_LENGTH:
        raise NoteInvalid(
            f"The addendum is longer than {FIELD_MAX_LENGTH} characters.", code="too_long"
        )
    addendum = NoteAddendum(note=note, author=author, body=body)
    addendum.created_at = timezone.now()
    addendum.content_sha256 = content_sha256(
        {
            "note": note.pk,
            "note_sha256": note.content_sha256,
            "body": body,
            "created_at": addendum.created_at.isoformat(),
        }
    )
    addendum.save()
    audit(
        actor=author,
        action="create",
        subject_user_id=note.record.client_id,
        object_type="note_addendum",
        object_id=addendum.pk,
        request=request,
        details={"note_id": note.pk},
    )
    return addendum


@transaction.atomic
def note_share(*, note: SessionNote, author: User, request=None) -> SessionNote:
    """Shares a signed note with the client (it then appears in their record; idempotent).
    A draft → 409 `note_not_signed`."""
    note = _lock(note)
    _require_author(note, author)
    if not note.is_signed:
        raise NoteConflict("Sign the note before sharing it.", code="note_not_signed")
    if note.shared_at is None:
        note.shared_at = timezone.now()
        note.save(update_fields=["shared_at", "updated_at"])
        _audit(note, actor=author, action="share", object_type="session_note", request=request)
    return note


@transaction.atomic
def note_unshare(*, note: SessionNote, author: User, request=None) -> SessionNote:
    """Stops sharing the note with the client (and with anyone the client granted it
    to, since grants cover only what the client can see). Idempotent."""
    note = _lock(note)
    _require_author(note, author)
    if note.shared_at is not None:
        note.shared_at = None
        note.save(update_fields=["shared_at", "updated_at"])
        _audit(note, actor=author, action="revoke", object_type="session_note", request=request)
    return note
