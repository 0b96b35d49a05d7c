from django.db import migrations

CODENAME = "view_creditentry"


def grant_staff_ledger_view(apps, schema_editor):
    """Staff browse any user's credit ledger in the Wagtail admin. Permissions are normally
    made after migrations run, so this one is made up front."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    content_type, _ = ContentType.objects.get_or_create(app_label="credits", model="creditentry")
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename=CODENAME, defaults={"name": "Can view credit entry"}
    )
    staff, _ = Group.objects.get_or_create(name="Staff")
    staff.permissions.add(permission)


def revoke_staff_ledger_view(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    staff = Group.objects.filter(name="Staff").first()
    if staff is not None:
        staff.permissions.remove(
            *Permission.objects.filter(content_type__app_label="credits", codename=CODENAME)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("credits", "0002_append_only_triggers"),
        ("accounts", "0002_role_groups"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant_staff_ledger_view, revoke_staff_ledger_view)]
