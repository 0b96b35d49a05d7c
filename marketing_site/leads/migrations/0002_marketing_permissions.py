from django.db import migrations

# Marketers (Editors) and Staff see leads and the funnel; only Staff may erase a person.
GRANTS = {
    "Editors": {"view_lead": "Can view lead", "view_funnel": "Can see the lead funnel report"},
    "Staff": {
        "view_lead": "Can view lead",
        "view_funnel": "Can see the lead funnel report",
        "erase_person": "Can erase a person (GDPR)",
    },
}


def grant(apps, schema_editor):
    """Permission rows are normally made after migrations run, so these are made here."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    content_type, _ = ContentType.objects.get_or_create(app_label="leads", model="lead")
    for group_name, permissions in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        for codename, name in permissions.items():
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type, codename=codename, defaults={"name": name}
            )
            group.permissions.add(permission)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=GRANTS):
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="leads", codename__in=GRANTS[group.name]
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0001_initial"),
        ("accounts", "0002_role_groups"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
