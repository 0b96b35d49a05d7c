"""The audit log is append-only in the database too: raw SQL cannot change or delete an
entry (the model refuses through the ORM; tests/privacy/test_erasure.py)."""

import pytest
from django.db import DatabaseError, connection, transaction

from privacy.audit import audit
from privacy.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE privacy_auditentry SET actor_id = 1 WHERE id = %s",
        "DELETE FROM privacy_auditentry WHERE id = %s",
    ],
)
def test_raw_sql_cannot_change_or_delete_an_entry(statement):
    entry = audit(
        actor=None,
        action="erasure",
        subject_user_id=None,
        object_type="",
        object_id=None,
        details={"erasers": {"leads": 1}},
    )

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(statement, [entry.pk])

    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.actor_id is None and stored.erasers == {"leads": 1}
