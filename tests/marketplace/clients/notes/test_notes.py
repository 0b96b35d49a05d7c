"""Session notes: private to their author, signed (locked, hashed), then only addenda;
shared with the client explicitly; every read and write audited; the text never
plain in the database."""

import pytest
from django.urls import reverse

from marketplace.clients.notes.errors import NoteConflict, NoteNotFound
from marketplace.clients.notes.models import NoteAddendum, SessionNote, content_sha256
from marketplace.clients.notes.services import (
    note_add_addendum,
    note_create,
    note_share,
    note_sign,
    note_unshare,
    note_update,
)
from privacy.models import AuditEntry
from tests.marketplace.clients.care_setup import (
    api_as,
    practitioner_with_mfa,
    raw_rows,
    record_with_session,
)

pytestmark = pytest.mark.django_db


def draft(record, booking, *, text="Client reports better sleep.", soap=False):
    author = record.practitioner.user
    if soap:
        return note_create(
            record=record,
            author=author,
            booking_id=booking.pk,
            note_format="soap",
            content={"subjective": text, "objective": "Calm", "assessment": "OK", "plan": "Week"},
        )
    return note_create(
        record=record,
        author=author,
        booking_id=booking.pk,
        note_format="free",
        content={"text": text},
    )


@pytest.fixture
def setup():
    return record_with_session()


def test_a_note_is_tied_to_one_of_the_pairs_sessions(setup):
    record, booking = setup
    note = draft(record, booking, soap=True)
    assert note.booking_id == booking.pk and note.session_label == booking.service.name
    assert note.status == "draft" and note.content["subjective"] == "Client reports better sleep."

    other_record, other_booking = record_with_session()
    with pytest.raises(Exception) as refused:
        draft(record, other_booking)
    assert refused.value.api_code == "invalid_session"


def test_signing_locks_the_note_and_keeps_the_hash_of_its_content(setup):
    record, booking = setup
    author = record.practitioner.user
    note = draft(record, booking)
    note = note_update(note=note, author=author, content={"text": "Final text."})
    note = note_sign(note=note, author=author)

    assert note.status == "signed" and note.signed_at is not None
    assert note.content_sha256 == content_sha256(
        {"note": note.pk, "format": "free", "content": {"text": "Final text."}}
    )
    with pytest.raises(NoteConflict) as locked:
        note_update(note=note, author=author, content={"text": "Changed."})
    assert locked.value.api_code == "note_signed" and locked.value.api_status == 409
    with pytest.raises(NoteConflict):
        note_sign(note=note, author=author)
    note.refresh_from_db()
    assert note.content == {"text": "Final text."}


def test_addenda_only_after_signing_and_each_is_hashed(setup):
    record, booking = setup
    author = record.practitioner.user
    note = draft(record, booking)
    with pytest.raises(NoteConflict) as refused:
        note_add_addendum(note=note, author=author, body="Too early")
    assert refused.value.api_code == "note_not_signed"

    note_sign(note=note, author=author)
    addendum = note_add_addendum(note=note, author=author, body="Phoned: feeling better.")
    assert addendum.content_sha256 and len(addendum.content_sha256) == 64
    assert NoteAddendum.objects.get().body == "Phoned: feeling better."


def test_only_the_author_may_change_a_note(setup):
    record, booking = setup
    note = draft(record, booking)
    stranger = practitioner_with_mfa().user
    for action in (note_sign, note_share, note_unshare):
        with pytest.raises(NoteNotFound):
            action(note=note, author=stranger)


def test_sharing_needs_a_signed_note_and_can_be_undone(setup):
    record, booking = setup
    author = record.practitioner.user
    note = draft(record, booking)
    with pytest.raises(NoteConflict):
        note_share(note=note, author=author)
    note_sign(note=note, author=author)
    assert note_share(note=note, author=author).shared_at is not None
    assert note_unshare(note=note, author=author).shared_at is None
    actions = list(
        AuditEntry.objects.filter(object_type="session_note")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "sign", "share", "revoke"]


# ---------- API: who sees what ----------


def test_the_client_sees_only_shared_notes_and_others_get_404(setup):
    record, booking = setup
    author = record.practitioner.user
    private = note_sign(note=draft(record, booking, text="Private"), author=author)
    shared = note_share(
        note=note_sign(note=draft(record, booking, text="Shared"), author=author), author=author
    )
    base = f"/api/v1/care-records/{record.pk}/notes/"

    as_client = api_as(record.client)
    listing = as_client.get(base)
    assert listing.status_code == 200
    assert [row["id"] for row in listing.json()["results"]] == [shared.pk]
    assert as_client.get(f"{base}{private.pk}/").status_code == 404
    assert as_client.get(f"{base}{shared.pk}/").json()["content"] == {"text": "Shared"}
    # The client cannot write.
    assert as_client.post(f"{base}{shared.pk}/unshare/").status_code == 404

    as_author = api_as(author)
    assert {row["id"] for row in as_author.get(base).json()["results"]} == {private.pk, shared.pk}

    other_practitioner = api_as(practitioner_with_mfa().user)
    assert other_practitioner.get(base).status_code == 404
    assert other_practitioner.get(f"{base}{shared.pk}/").status_code == 404

    other_record, _ = record_with_session()
    assert api_as(other_record.client).get(f"{base}{shared.pk}/").status_code == 404

    reads = AuditEntry.objects.filter(action="read", subject_user_id=record.client_id)
    assert reads.filter(object_type="session_note", object_id=str(shared.pk)).count() == 1
    assert reads.filter(object_type="session_notes", actor_id=record.client_id).count() == 1
    assert not AuditEntry.objects.filter(actor_id=other_record.client_id).exists()


def test_the_api_writes_and_refuses_to_edit_a_signed_note(setup):
    record, booking = setup
    api = api_as(record.practitioner.user)
    base = f"/api/v1/care-records/{record.pk}/notes/"
    created = api.post(
        base,
        {
            "booking": booking.pk,
            "format": "soap",
            "content": {"subjective": "S", "objective": "O", "assessment": "A", "plan": "P"},
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    note_id = created.json()["id"]
    assert created.json()["status"] == "draft"
    edited = api.patch(f"{base}{note_id}/", {"content": {"plan": "P2"}}, format="json")
    assert edited.status_code == 200 and edited.json()["content"]["plan"] == "P2"

    signed = api.post(f"{base}{note_id}/sign/")
    assert signed.status_code == 200 and len(signed.json()["content_sha256"]) == 64
    locked = api.patch(f"{base}{note_id}/", {"content": {"plan": "P3"}}, format="json")
    assert locked.status_code == 409 and locked.json()["code"] == "note_signed"

    addendum = api.post(f"{base}{note_id}/addenda/", {"body": "Later thought"}, format="json")
    assert addendum.status_code == 201
    assert [row["body"] for row in addendum.json()["addenda"]] == ["Later thought"]
    shared = api.post(f"{base}{note_id}/share/")
    assert shared.json()["shared_at"] is not None

    bad = api.post(base, {"booking": 99999999, "format": "free", "content": {}}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_session"


# ---------- pages ----------


def test_the_practitioner_writes_signs_adds_and_shares_on_the_pages(client, setup):
    record, booking = setup
    client.force_login(record.practitioner.user)
    new = client.post(
        reverse("care-note-new", args=[record.pk]),
        {"booking": booking.pk, "format": "free", "text": "Worked on breathing."},
    )
    assert new.status_code == 302
    note = SessionNote.objects.get()
    detail_url = reverse("care-note-practitioner", args=[record.pk, note.pk])
    page = client.get(detail_url)
    assert page.status_code == 200 and b"Worked on breathing." in page.content
    assert client.get(reverse("care-notes-practitioner", args=[record.pk])).status_code == 200

    assert client.post(reverse("care-note-sign", args=[record.pk, note.pk])).status_code == 302
    edit = client.post(detail_url, {"text": "Rewritten"})
    assert edit.status_code == 409
    note.refresh_from_db()
    assert note.content == {"text": "Worked on breathing."}
    client.post(reverse("care-note-addendum", args=[record.pk, note.pk]), {"body": "P.S."})
    client.post(reverse("care-note-share", args=[record.pk, note.pk]))
    note.refresh_from_db()
    assert note.is_shared and note.addenda.count() == 1

    client.force_login(record.client)
    listing = client.get(reverse("care-notes-client", args=[record.pk]))
    assert listing.status_code == 200
    mine = client.get(reverse("care-note-client", args=[record.pk, note.pk]))
    assert b"Worked on breathing." in mine.content and b"P.S." in mine.content
    assert client.get(detail_url).status_code == 404  # not the practitioner's pages


def test_a_client_cannot_open_an_unshared_note_page(client, setup):
    record, booking = setup
    note = draft(record, booking)
    client.force_login(record.client)
    assert client.get(reverse("care-note-client", args=[record.pk, note.pk])).status_code == 404


def test_note_text_is_never_plain_in_the_database(setup):
    record, booking = setup
    author = record.practitioner.user
    note = draft(record, booking, text="canary-notes-7Hq2", soap=True)
    note_sign(note=note, author=author)
    note_add_addendum(note=note, author=author, body="canary-addendum-7Hq2")
    stored = raw_rows("clinical_notes_sessionnote") + raw_rows("clinical_notes_noteaddendum")
    assert "7Hq2" not in stored
    assert SessionNote.objects.get().content["subjective"] == "canary-notes-7Hq2"
