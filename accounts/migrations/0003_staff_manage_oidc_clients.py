from django.db import migrations

CODENAMES = {
    "add_client": "Can add client",
    "change_client": "Can change client",
    "delete_client": "Can delete client",
    "view_client": "Can view client",
}


def grant_staff_oidc_client_permissions(apps, schema_editor):
    """Staff register OpenID Connect clients in the Wagtail admin. Permissions are normally
    made after migrations run, so the ones needed here are made up front."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    content_type, _ = ContentType.objects.get_or_create(
        app_label="allauth_idp_oidc", model="client"
    )
    staff = Group.objects.get(name="Staff")
    for codename, name in CODENAMES.items():
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )
        staff.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_role_groups"),
        ("allauth_idp_oidc", "0003_client_allow_uri_wildcards"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(grant_staff_oidc_client_permissions, migrations.RunPython.noop)
    ]
