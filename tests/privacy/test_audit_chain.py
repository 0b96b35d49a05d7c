"""The audit log is one hash chain: each entry covers its own fields and the previous
entry's hash, concurrent appends still form one chain, and `manage.py audit_verify`
finds a changed or removed row (the test drops the append-only triggers first, as
someone with the database owner's rights could)."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from privacy.audit import GENESIS, audit, chain_breaks, entry_hash
from privacy.models import AuditEntry
from tests.accounts.factories import UserFactory
from tests.concurrency import race

TABLE = "privacy_auditentry"


def _append(n: int, *, actor=None) -> list[AuditEntry]:
    return [
        audit(
            actor=actor,
            action="read",
            subject_user_id=42,
            object_type="care_record",
            object_id=n * 10 + index,
            details={"record_id": index, "role": "practitioner"},
        )
        for index in range(n)
    ]


def _drop_append_only_triggers() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER {TABLE}_append_only ON {TABLE}")
        else:
            cursor.execute(f"DROP TRIGGER {TABLE}_no_update")
            cursor.execute(f"DROP TRIGGER {TABLE}_no_delete")


def _verify() -> str:
    try:
        call_command("audit_verify", stdout=(out := io.StringIO()))
    except CommandError as error:
        assert error.returncode == 1
        return f"broken: {error}"
    return out.getvalue()


@pytest.mark.django_db
def test_each_entry_chains_to_the_one_before_and_verify_says_intact(rf):
    actor = UserFactory()
    request = rf.get("/", HTTP_X_FORWARDED_FOR="203.0.113.9", REMOTE_ADDR="10.0.0.1")
    request.request_id = "req-12345678"
    first = audit(
        actor=actor,
        action="download",
        subject_user_id=7,
        object_type="client_document",
        object_id=3,
        request=request,
        details={"record_id": 1},
    )
    second, third = _append(2)

    assert first.prev_hash == GENESIS
    assert (second.prev_hash, third.prev_hash) == (first.hash, second.hash)
    stored = AuditEntry.objects.get(pk=first.pk)
    assert (stored.actor_id, stored.request_id, stored.object_id) == (actor.pk, "req-12345678", "3")
    assert stored.ip in ("10.0.0.1", "203.0.113.9")
    fields = {name: getattr(stored, name) for name in ("action", "actor_id", "subject_user_id")}
    assert fields == {"action": "download", "actor_id": actor.pk, "subject_user_id": 7}
    assert list(chain_breaks()) == []
    assert "intact (3 entries)" in _verify()


@pytest.mark.django_db
def test_unknown_actions_and_direct_creation_are_refused():
    with pytest.raises(ValueError):
        audit(actor=None, action="peek", subject_user_id=1, object_type="x", object_id=1)
    with pytest.raises(Exception, match="privacy.audit.audit"):
        AuditEntry.objects.create(action="read", prev_hash=GENESIS, hash="")


@pytest.mark.django_db
def test_verify_finds_a_row_changed_behind_the_triggers():
    entries = _append(4)
    _drop_append_only_triggers()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE privacy_auditentry SET subject_user_id = 99 WHERE id = %s", [entries[2].pk]
        )

    report = _verify()

    assert report.startswith("broken") and f"entry {entries[2].pk}" in report
    assert "does not match its contents" in report


@pytest.mark.django_db
def test_verify_finds_a_removed_row_and_a_row_rehashed_to_hide_a_change():
    entries = _append(4)
    _drop_append_only_triggers()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM privacy_auditentry WHERE id = %s", [entries[1].pk])
    assert f"entry {entries[2].pk}" in _verify() and "prev_hash" in _verify()

    # Forging one row's hash to match its new content still breaks the next link.
    victim = AuditEntry.objects.get(pk=entries[2].pk)
    forged = {
        name: getattr(victim, name)
        for name in (
            "action",
            "actor_id",
            "subject_user_id",
            "object_type",
            "object_id",
            "request_id",
            "ip",
            "created_at",
            "details",
        )
    }
    forged["subject_user_id"] = 1
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE privacy_auditentry SET subject_user_id = 1, prev_hash = %s, hash = %s "
            "WHERE id = %s",
            [entries[0].hash, entry_hash(forged, entries[0].hash), victim.pk],
        )
    breaks = list(chain_breaks())
    assert [b.entry_id for b in breaks] == [entries[3].pk]


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_form_one_unbroken_chain():
    workers, each = 8, 6

    def job():
        _append(each)

    outcomes = race([job] * workers)

    assert outcomes == {"ok": workers}
    assert AuditEntry.objects.count() == workers * each
    assert list(chain_breaks()) == []
    hashes = list(AuditEntry.objects.order_by("pk").values_list("prev_hash", flat=True))
    assert len(set(hashes)) == len(hashes)  # no two entries claim the same predecessor
