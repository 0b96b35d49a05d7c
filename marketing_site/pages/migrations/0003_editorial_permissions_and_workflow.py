"""The Editors group (marketers) gets what building and publishing the site needs, and
every page can go through an "Editorial review" workflow approved by Editors or Moderators.

Page permissions sit on Wagtail's root so they cover the whole content tree (home, landing,
blog, library and course pages) whatever pages an install creates later; the tree has one
site. Editors may delete single pages (Wagtail's change permission) but not whole sections
(no bulk_delete), and get no users, groups, sites, workflows or settings."""

from django.db import migrations

from accounts.migration_helpers import grant_group_permissions

PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
COLLECTION_PERMISSIONS = {
    "wagtailimages": ["add_image", "change_image", "choose_image"],
    "wagtaildocs": ["add_document", "change_document", "choose_document"],
}
MODEL_PERMISSIONS = {
    "cms_core": {
        "testimonial": ["view", "add", "change", "delete"],
        "faqitem": ["view", "add", "change", "delete"],
    },
    "pages": {"blogauthor": ["view", "add", "change", "delete"]},
    "wagtailredirects": {"redirect": ["view", "add", "change", "delete"]},
}
WORKFLOW_NAME = "Editorial review"


def _permission(apps, app_label: str, model: str, codename: str):
    content_type_model = apps.get_model("contenttypes", "ContentType")
    permission_model = apps.get_model("auth", "Permission")
    content_type, _ = content_type_model.objects.get_or_create(app_label=app_label, model=model)
    permission, _ = permission_model.objects.get_or_create(
        content_type=content_type, codename=codename, defaults={"name": codename.replace("_", " ")}
    )
    return permission


def set_up_editorial(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")

    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(_permission(apps, "wagtailadmin", "admin", "access_admin"))
    for app_label, actions in MODEL_PERMISSIONS.items():
        grant_group_permissions(apps, group="Editors", app_label=app_label, actions=actions)

    root = Page.objects.filter(depth=1).order_by("path").first()
    if root is not None:
        for codename in PAGE_PERMISSIONS:
            GroupPagePermission.objects.get_or_create(
                group=editors,
                page=root,
                permission=_permission(apps, "wagtailcore", "page", codename),
            )
    root_collection = Collection.objects.filter(depth=1).order_by("path").first()
    if root_collection is not None:
        for app_label, codenames in COLLECTION_PERMISSIONS.items():
            model = codenames[0].split("_", 1)[1]
            for codename in codenames:
                GroupCollectionPermission.objects.get_or_create(
                    group=editors,
                    collection=root_collection,
                    permission=_permission(apps, app_label, model, codename),
                )

    if root is None:
        return
    task_type, _ = ContentType.objects.get_or_create(
        app_label="wagtailcore", model="groupapprovaltask"
    )
    task = GroupApprovalTask.objects.filter(name=WORKFLOW_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(
            name=WORKFLOW_NAME, content_type=task_type, active=True
        )
    task.groups.add(editors, *Group.objects.filter(name="Moderators"))
    workflow, created = Workflow.objects.get_or_create(
        name=WORKFLOW_NAME, defaults={"active": True}
    )
    if created:
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    # One workflow per page: this replaces Wagtail's default "Moderators approval" on the root.
    WorkflowPage.objects.update_or_create(page=root, defaults={"workflow": workflow})


class Migration(migrations.Migration):
    dependencies = [
        ("pages", "0002_marketing_page_types"),
        ("cms_core", "0001_initial"),
        ("accounts", "0002_role_groups"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailredirects", "0008_add_verbose_name_plural"),
    ]

    operations = [migrations.RunPython(set_up_editorial, migrations.RunPython.noop)]
