from django.db import migrations

# model name → (verbose name, actions staff may take in the Wagtail admin)
MODELS = {
    "partner": ("partner", ("add", "change", "delete", "view")),
    "partneradmin": ("partner administrator", ("add", "change", "delete", "view")),
    "sponsorpool": ("sponsor pool", ("add", "change", "delete", "view")),
    "poolinvite": ("pool invitation", ("add", "change", "delete", "view")),
    "vouchercode": ("voucher code", ("add", "change", "delete", "view")),
    "poolenrollment": ("pool enrolment", ("view",)),
    "pooldraw": ("pool draw", ("view",)),
}


def grant_staff_partner_permissions(apps, schema_editor):
    """Staff manage partners, pools, invitations and vouchers in the Wagtail admin.
    Permissions are normally made after migrations run, so they are made here."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    staff, _ = Group.objects.get_or_create(name="Staff")
    for model, (verbose_name, actions) in MODELS.items():
        content_type, _ = ContentType.objects.get_or_create(app_label="partners", model=model)
        for action in actions:
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type,
                codename=f"{action}_{model}",
                defaults={"name": f"Can {action} {verbose_name}"},
            )
            staff.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0001_initial"),
        ("accounts", "0002_role_groups"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(grant_staff_partner_permissions, migrations.RunPython.noop)
    ]
