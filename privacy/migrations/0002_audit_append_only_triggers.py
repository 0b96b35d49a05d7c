"""The database refuses UPDATE and DELETE on audit entries whatever the client (ORM, raw
SQL, a shell), as it does for the credits ledger (credits 0002). SQLite drops a table's
triggers when Django rebuilds it: a later migration that alters privacy_auditentry must
install them again (tests/privacy/test_audit.py fails if it does not)."""

from django.db import migrations

TABLE = "privacy_auditentry"

POSTGRESQL = f"""
CREATE OR REPLACE FUNCTION privacy_refuse_audit_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The privacy audit log is append-only: % is refused.', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION privacy_refuse_audit_change();
"""


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL, params=None)
    elif vendor == "sqlite":
        for operation in ("UPDATE", "DELETE"):
            schema_editor.execute(
                f"CREATE TRIGGER {TABLE}_no_{operation.lower()} BEFORE {operation} ON {TABLE} "
                f"BEGIN SELECT RAISE(ABORT, 'The privacy audit log is append-only: "
                f"{operation} is refused.'); END;"
            )
    else:
        raise NotImplementedError(f"No append-only triggers for the {vendor} database.")


def remove(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};")
        schema_editor.execute("DROP FUNCTION IF EXISTS privacy_refuse_audit_change();")
    elif vendor == "sqlite":
        for operation in ("update", "delete"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_{operation};")


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]

    operations = [migrations.RunPython(install, remove)]
