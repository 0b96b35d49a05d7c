from django.db import migrations

from accounts.migration_helpers import grant_group_permissions


def grant_staff(apps, schema_editor):
    """Staff edit membership plans in the Wagtail admin and see memberships."""
    grant_group_permissions(
        apps,
        group="Staff",
        app_label="memberships",
        actions={
            "membershipplan": ["view", "add", "change"],
            "membership": ["view"],
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("memberships", "0002_default_plans"),
        ("accounts", "0002_role_groups"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant_staff, migrations.RunPython.noop)]
