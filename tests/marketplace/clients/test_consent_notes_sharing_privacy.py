"""Consent, notes and sharing in the privacy registries: the export gives the client
their signatures, the notes shared with them and their grants (never private notes);
erasure keeps clinical rows but ends every grant at once, and a second run changes
nothing; the retention purge removes what a record past its clock holds, dry run first."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from marketplace.clients.consent.models import ConsentKind, ConsentSignature, ConsentVersion
from marketplace.clients.consent.registrations import export_consents
from marketplace.clients.consent.services import consent_sign
from marketplace.clients.notes.models import NoteAddendum, SessionNote
from marketplace.clients.notes.registrations import export_notes
from marketplace.clients.notes.services import (
    note_add_addendum,
    note_create,
    note_share,
    note_sign,
)
from marketplace.clients.records.models import CareRecord
from marketplace.clients.sharing.models import SharedItem, SharingGrant
from marketplace.clients.sharing.registrations import export_grants
from marketplace.clients.sharing.services import sharing_grant_create
from privacy.models import AuditEntry
from privacy.retention import registered_purgers, retention_cutoff
from privacy.services import person_erase
from tests.marketplace.clients.care_setup import (
    practitioner_with_mfa,
    publish_consent,
    record_with_session,
)

pytestmark = pytest.mark.django_db

NOTE = "clinical_notes.sessionnote"


def populate():
    """A record with a shared note (with an addendum), a private note, a signature and a
    grant to another practitioner."""
    record, booking = record_with_session()
    author = record.practitioner.user

    def note(text, *, shared):
        made = note_create(
            record=record,
            author=author,
            booking_id=booking.pk,
            note_format="free",
            content={"text": text},
        )
        made = note_sign(note=made, author=author)
        return note_share(note=made, author=author) if shared else made

    shared = note("Shared text", shared=True)
    note_add_addendum(note=shared, author=author, body="Addendum text")
    note("Private text", shared=False)
    version = publish_consent(ConsentKind.TREATMENT)
    consent_sign(
        client=record.client,
        version=version,
        typed_name="Jane Doe",
        ip_address="192.0.2.1",
        user_agent="UA",
    )
    grantee = practitioner_with_mfa()
    sharing_grant_create(
        record=record,
        client=record.client,
        grantee=grantee,
        items=[(NOTE, shared.pk)],
        expires_at=timezone.now() + dt.timedelta(days=30),
        purpose="Referral",
    )
    return record, grantee


def _json(items):
    ((path, content),) = list(items)
    return path, json.loads(content)


def test_the_export_gives_the_client_what_they_may_see():
    record, _ = populate()
    path, signatures = _json(export_consents(record.client))
    assert path == "consent/signatures.json"
    assert [(row["kind"], row["action"], row["typed_name"]) for row in signatures] == [
        ("treatment", "signed", "Jane Doe")
    ]
    _, notes = _json(export_notes(record.client))
    assert [note["content"] for note in notes] == [{"text": "Shared text"}]
    assert notes[0]["addenda"][0]["body"] == "Addendum text"
    _, grants = _json(export_grants(record.client))
    assert grants[0]["purpose"] == "Referral" and grants[0]["items"] == [
        f"{NOTE}:{SessionNote.objects.get(shared_at__isnull=False).pk}"
    ]
    # The practitioner's own export holds none of the client's notes.
    _, practitioner_notes = _json(export_notes(record.practitioner.user))
    assert practitioner_notes == []


def test_erasure_keeps_clinical_rows_and_ends_grants_once():
    record, grantee = populate()
    first = person_erase(email=record.client.email, requested_by=None)
    assert first.count("record_sharing") == 1
    assert SharingGrant.objects.get().revoked_at is not None
    assert SessionNote.objects.count() == 2 and ConsentSignature.objects.count() == 1
    again = person_erase(email=record.client.email, requested_by=None)
    assert again.count("record_sharing") == 0


def _purgers():
    return {
        entry.name: entry
        for entry in registered_purgers()
        if entry.name in ("clinical_notes", "record_sharing", "consent")
    }


def test_the_retention_purge_removes_what_a_record_past_its_clock_holds():
    stale, _ = populate()
    fresh, _ = populate()
    old = timezone.now() - dt.timedelta(days=365 * 8)
    CareRecord.objects.filter(pk=stale.pk).update(last_contact_at=old)
    CareRecord.objects.filter(pk=fresh.pk).update(last_contact_at=timezone.now())
    cutoff = retention_cutoff("clinical_adult")
    purgers = _purgers()
    assert set(purgers) == {"clinical_notes", "record_sharing", "consent"}

    before = (SessionNote.objects.count(), SharingGrant.objects.count())
    dry = {name: entry.purger(cutoff=cutoff, dry_run=True) for name, entry in purgers.items()}
    assert dry == {"clinical_notes": 3, "record_sharing": 2, "consent": 1}
    assert (SessionNote.objects.count(), SharingGrant.objects.count()) == before

    done = {name: entry.purger(cutoff=cutoff, dry_run=False) for name, entry in purgers.items()}
    assert done == dry
    assert not SessionNote.objects.filter(record=stale).exists()
    assert not NoteAddendum.objects.filter(note__record=stale).exists()
    assert not SharingGrant.objects.filter(record=stale).exists()
    assert not SharedItem.objects.filter(grant__record=stale).exists()
    assert not ConsentSignature.objects.filter(client=stale.client).exists()
    assert SessionNote.objects.filter(record=fresh).count() == 2
    assert ConsentSignature.objects.filter(client=fresh.client).count() == 1
    assert ConsentVersion.objects.exists()  # the documents' texts are not personal
    purged = AuditEntry.objects.filter(action="retention_purge", subject_user_id=stale.client_id)
    assert sorted(purged.values_list("object_type", flat=True)) == [
        "consent_signatures",
        "session_notes",
        "sharing_grants",
    ]
    # Nothing left to purge the second time.
    assert {
        name: entry.purger(cutoff=cutoff, dry_run=False) for name, entry in purgers.items()
    } == {
        "clinical_notes": 0,
        "record_sharing": 0,
        "consent": 0,
    }
