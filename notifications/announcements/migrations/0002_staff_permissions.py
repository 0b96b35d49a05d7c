from django.db import migrations

from accounts.migration_helpers import grant_group_permissions


def grant_staff(apps, schema_editor):
    """Staff write, schedule and send announcements; editors do not (the Editors group gets
    nothing here)."""
    grant_group_permissions(
        apps,
        group="Staff",
        app_label="announcements",
        actions={"announcement": ["view", "add", "change", "send"]},
    )


class Migration(migrations.Migration):
    dependencies = [
        ("announcements", "0001_initial"),
        ("accounts", "0002_role_groups"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant_staff, migrations.RunPython.noop)]
