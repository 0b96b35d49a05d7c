"""The erasure audit log becomes the one audit log of access to personal and clinical
data: who, what object, which action, request id, IP, non-clinical details, and a hash
chain. `erasers` moves into `details` ({"erasers": {...}}); existing entries are chained
in id order. The append-only triggers are dropped for the change and installed again
(SQLite also loses them when Django rebuilds the table)."""

import hashlib
import json
from datetime import UTC

import django.utils.timezone
from django.db import migrations, models

TABLE = "privacy_auditentry"
GENESIS = "0" * 64
HASHED_FIELDS = (
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

POSTGRESQL_INSTALL = f"""
CREATE OR REPLACE FUNCTION privacy_refuse_audit_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The privacy audit log is append-only: % is refused.', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION privacy_refuse_audit_change();
"""


def install_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_INSTALL, params=None)
    elif vendor == "sqlite":
        for operation in ("UPDATE", "DELETE"):
            schema_editor.execute(
                f"CREATE TRIGGER IF NOT EXISTS {TABLE}_no_{operation.lower()} BEFORE {operation} "
                f"ON {TABLE} BEGIN SELECT RAISE(ABORT, 'The privacy audit log is append-only: "
                f"{operation} is refused.'); END;"
            )
    else:
        raise NotImplementedError(f"No append-only triggers for the {vendor} database.")


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};")
    elif vendor == "sqlite":
        for operation in ("update", "delete"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_{operation};")


def _hash(fields, prev_hash):
    payload = {name: fields[name] for name in HASHED_FIELDS}
    payload["created_at"] = payload["created_at"].astimezone(UTC).isoformat(timespec="microseconds")
    payload["prev_hash"] = prev_hash
    body = json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return hashlib.sha256(body.encode()).hexdigest()


def chain_existing(apps, schema_editor):
    AuditEntry = apps.get_model("privacy", "AuditEntry")
    previous = GENESIS
    for entry in AuditEntry.objects.order_by("pk").iterator():
        details = {"erasers": entry.details or {}}
        fields = {name: getattr(entry, name) for name in HASHED_FIELDS}
        fields["details"] = details
        digest = _hash(fields, previous)
        AuditEntry.objects.filter(pk=entry.pk).update(
            details=details,
            object_type="user" if entry.subject_user_id else "",
            object_id=str(entry.subject_user_id or ""),
            prev_hash=previous,
            hash=digest,
        )
        previous = digest


def unchain_existing(apps, schema_editor):
    AuditEntry = apps.get_model("privacy", "AuditEntry")
    for entry in AuditEntry.objects.order_by("pk").iterator():
        erasers = (entry.details or {}).get("erasers", {})
        AuditEntry.objects.filter(pk=entry.pk).update(details=erasers)


class Migration(migrations.Migration):
    dependencies = [("privacy", "0002_audit_append_only_triggers")]

    operations = [
        migrations.RunPython(drop_triggers, install_triggers),
        migrations.RenameField("auditentry", "erasers", "details"),
        migrations.AlterField(
            model_name="auditentry",
            name="details",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="Non-clinical context: ids, counts, the erasers that ran. Never content.",
            ),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="action",
            field=models.CharField(
                choices=[
                    ("read", "Read"),
                    ("create", "Create"),
                    ("update", "Update"),
                    ("download", "Download"),
                    ("export", "Export"),
                    ("share", "Share"),
                    ("revoke", "Revoke"),
                    ("sign", "Sign"),
                    ("withdraw", "Withdraw"),
                    ("break_glass", "Break-glass access"),
                    ("erasure", "Erasure"),
                    ("retention_purge", "Retention purge"),
                ],
                db_index=True,
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="actor_id",
            field=models.BigIntegerField(
                blank=True, db_index=True, help_text="Who acted; empty for the system.", null=True
            ),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="subject_user_id",
            field=models.BigIntegerField(
                blank=True, help_text="Whose data it was, if they have an account.", null=True
            ),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="created_at",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="object_type",
            field=models.CharField(blank=True, default="", max_length=60),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditentry",
            name="object_id",
            field=models.CharField(blank=True, default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditentry",
            name="request_id",
            field=models.CharField(blank=True, default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditentry",
            name="ip",
            field=models.GenericIPAddressField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="prev_hash",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditentry",
            name="hash",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AlterModelOptions(
            name="auditentry",
            options={"ordering": ["-created_at", "-pk"], "verbose_name_plural": "audit entries"},
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(
                fields=["subject_user_id", "-created_at"], name="privacy_audit_subject"
            ),
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(fields=["object_type", "object_id"], name="privacy_audit_object"),
        ),
        migrations.RunPython(chain_existing, unchain_existing),
        migrations.RunPython(install_triggers, drop_triggers),
    ]
