from django.db import migrations

from accounts.migration_helpers import grant_group_permissions


def grant_staff(apps, schema_editor):
    """Staff see the Contentful sync screen and may start a sync."""
    grant_group_permissions(
        apps,
        group="Staff",
        app_label="contentful_sync",
        actions={
            "contentfulsyncstate": ["view", "change"],
            "contentfulsyncrun": ["view"],
            "contentfulrecord": ["view"],
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("contentful_sync", "0001_initial"),
        ("accounts", "0002_role_groups"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant_staff, migrations.RunPython.noop)]
