from django.db import migrations

from accounts.migration_helpers import grant_group_permissions


def grant_staff(apps, schema_editor):
    """Staff see payments, disputes and the event log, issue refunds and re-process
    failed events."""
    grant_group_permissions(
        apps,
        group="Staff",
        app_label="payments",
        actions={
            "payment": ["view"],
            "refund": ["view", "add"],
            "dispute": ["view"],
            "webhookevent": ["view", "change"],
            "connectedaccount": ["view"],
            "transfer": ["view"],
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0001_initial"),
        ("accounts", "0002_role_groups"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant_staff, migrations.RunPython.noop)]
