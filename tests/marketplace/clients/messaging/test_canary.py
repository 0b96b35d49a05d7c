"""Canary: message subjects and bodies (both sides) are not in the database in plaintext:
the SQLite file or a pg_dump of the PostgreSQL test database is searched (the identity
canary's helper)."""

import secrets

import pytest

from marketplace.clients.messaging import services
from marketplace.clients.messaging.models import Message
from marketplace.clients.records.access import record_access
from tests.accounts.factories import enrol_totp
from tests.marketplace.clients.factories import CareRecordFactory
from tests.marketplace.practitioners.test_identity import _database_bytes


@pytest.mark.django_db(transaction=True)
def test_canary_messages_are_not_in_the_database_in_plaintext():
    # Letters outside hex and digits, so no uuid, hash or token in the dump matches by chance.
    canary = "".join(secrets.choice("GHJKLMNPQRSTVWXYZ") for _ in range(8))
    record = CareRecordFactory(client__last_name=f"Visible{canary}")
    enrol_totp(record.practitioner.user)
    client, practitioner = record.client, record.practitioner.user
    posted = services.thread_start(
        access=record_access(user=client, record_id=record.pk),
        user=client,
        subject=f"Subject{canary}",
        body=f"Clientbody{canary}",
    )
    services.message_post(
        access=record_access(user=practitioner, record_id=record.pk),
        thread=posted.thread,
        user=practitioner,
        body=f"Practitionerbody{canary}",
    )

    dump = _database_bytes()
    assert Message.objects.filter(thread__record=record).count() == 2
    assert f"Visible{canary}".encode() in dump  # the rows are in the dump
    for plaintext in (f"Subject{canary}", f"Clientbody{canary}", f"Practitionerbody{canary}"):
        assert plaintext.encode() not in dump, f"{plaintext} is stored in plaintext"
        assert plaintext.lower().encode() not in dump.lower()
