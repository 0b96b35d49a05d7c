"""The database refuses UPDATE and DELETE on ledger entries and transactions, whatever
the client (ORM, raw SQL, a shell). Vendor-specific SQL, chosen at migration time.

SQLite drops a table's triggers when Django rebuilds the table; any later migration that
alters credits_creditentry or credits_credittransaction on SQLite must run
`install_triggers` again (tests/commerce/credits/test_models.py fails if it does not).
"""

from django.db import migrations

TABLES = ("credits_creditentry", "credits_credittransaction")

POSTGRESQL_FUNCTION = """
CREATE OR REPLACE FUNCTION credits_refuse_ledger_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The credits ledger is append-only: % on % is refused.', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
"""


def install_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        # No parameters: the % in RAISE is PL/pgSQL's placeholder, not the driver's.
        schema_editor.execute(POSTGRESQL_FUNCTION, params=None)
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION credits_refuse_ledger_change();"
            )
    elif vendor == "sqlite":
        for table in TABLES:
            for operation in ("UPDATE", "DELETE"):
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'The credits ledger is append-only: "
                    f"{operation} on {table} is refused.'); END;"
                )
    else:
        raise NotImplementedError(f"No append-only triggers for the {vendor} database.")


def remove_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
        schema_editor.execute("DROP FUNCTION IF EXISTS credits_refuse_ledger_change();")
    elif vendor == "sqlite":
        for table in TABLES:
            for operation in ("update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{operation};")


class Migration(migrations.Migration):
    dependencies = [("credits", "0001_initial")]

    operations = [migrations.RunPython(install_triggers, remove_triggers)]
