"""Canary: session notes (free and SOAP), addenda, a consent signature's typed name and a
sharing grant's purpose are not in the database in plaintext: the SQLite file or a
pg_dump of the PostgreSQL test database is searched (the identity canary's helper)."""

import datetime as dt
import secrets

import pytest
from django.utils import timezone

from marketplace.clients.consent.models import ConsentKind
from marketplace.clients.consent.services import consent_sign
from marketplace.clients.notes.models import SessionNote
from marketplace.clients.notes.services import (
    note_add_addendum,
    note_create,
    note_share,
    note_sign,
)
from marketplace.clients.sharing.services import sharing_grant_create
from tests.marketplace.clients.care_setup import (
    practitioner_with_mfa,
    publish_consent,
    record_with_session,
)
from tests.marketplace.practitioners.test_identity import _database_bytes


@pytest.mark.django_db(transaction=True)
def test_canary_notes_signatures_and_grants_are_not_in_the_database_in_plaintext():
    # Letters outside hex and digits, so no uuid, hash or token in the dump matches by chance.
    canary = "".join(secrets.choice("GHJKLMNPQRSTVWXYZ") for _ in range(8))
    record, booking = record_with_session()
    author = record.practitioner.user
    free = note_create(
        record=record,
        author=author,
        booking_id=booking.pk,
        note_format="free",
        content={"text": f"Freetext{canary}"},
    )
    soap = note_create(
        record=record,
        author=author,
        booking_id=booking.pk,
        note_format="soap",
        content={
            "subjective": f"Subjective{canary}",
            "objective": f"Objective{canary}",
            "assessment": f"Assessment{canary}",
            "plan": f"Plan{canary}",
        },
    )
    note_sign(note=free, author=author)
    note_share(note=free, author=author)
    note_add_addendum(note=free, author=author, body=f"Addendum{canary}")
    version = publish_consent(ConsentKind.SHARING)
    consent_sign(
        client=record.client,
        version=version,
        typed_name=f"Jane Typed{canary} Doe",
        ip_address="198.51.100.7",
        user_agent="CanaryAgent",
    )
    sharing_grant_create(
        record=record,
        client=record.client,
        grantee=practitioner_with_mfa(),
        items=[("clinical_notes.sessionnote", free.pk)],
        expires_at=timezone.now() + dt.timedelta(days=5),
        purpose=f"Purpose{canary}",
    )

    dump = _database_bytes()
    assert SessionNote.objects.count() == 2 and soap.pk
    assert b"CanaryAgent" in dump  # the rows are in the dump
    for plaintext in (
        f"Freetext{canary}",
        f"Subjective{canary}",
        f"Plan{canary}",
        f"Addendum{canary}",
        f"Typed{canary}",
        f"Purpose{canary}",
    ):
        assert plaintext.encode() not in dump, f"{plaintext} is stored in plaintext"
        assert plaintext.lower().encode() not in dump.lower()
