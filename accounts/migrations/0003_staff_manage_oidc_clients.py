from django.db import migrations

from accounts.migration_helpers import grant_group_permissions


def grant_staff_oidc_client_permissions(apps, schema_editor):
    """Staff register OpenID Connect clients in the Wagtail admin."""
    grant_group_permissions(
        apps,
        group="Staff",
        app_label="allauth_idp_oidc",
        actions={"client": ["add", "change", "delete", "view"]},
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_role_groups"),
        ("allauth_idp_oidc", "0003_client_allow_uri_wildcards"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(grant_staff_oidc_client_permissions, migrations.RunPython.noop)
    ]
