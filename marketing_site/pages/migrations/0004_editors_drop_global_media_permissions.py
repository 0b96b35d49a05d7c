"""Wagtail's initial data gave the Editors group model-wide image and document
permissions (add, change, delete, choose). Wagtail reads images and documents through
collection permissions only (0003 grants Editors add, change and choose on the root
collection, and there the change right covers deleting), so those model-wide rows gave
nothing in the admin; they only made the group's permission list differ from what
editors can do, and `has_perm` answer for rights Wagtail does not use."""

from django.db import migrations

MEDIA_APPS = ("wagtailimages", "wagtaildocs")


def drop_global_media_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors = Group.objects.filter(name="Editors").first()
    if editors is None:
        return
    editors.permissions.remove(*Permission.objects.filter(content_type__app_label__in=MEDIA_APPS))


class Migration(migrations.Migration):
    dependencies = [
        ("pages", "0003_editorial_permissions_and_workflow"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
    ]

    operations = [migrations.RunPython(drop_global_media_permissions, migrations.RunPython.noop)]
