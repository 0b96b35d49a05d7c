from django.db import migrations

from accounts.migration_helpers import grant_group_permissions


def grant_staff(apps, schema_editor):
    """Staff see the delivery records (Wagtail admin → Deliveries); nobody edits them."""
    grant_group_permissions(
        apps, group="Staff", app_label="notifications", actions={"delivery": ["view"]}
    )


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("accounts", "0002_role_groups"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant_staff, migrations.RunPython.noop)]
