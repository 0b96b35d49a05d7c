"""Helpers for data migrations. Django makes permission rows after all migrations have
run, so a migration that gives a group permissions must make the rows itself."""


def grant_group_permissions(apps, *, group: str, app_label: str, actions: dict) -> None:
    """Gives `group` the permissions `{model: ["view", "add", ...]}` of `app_label`,
    creating permission rows that do not exist yet (idempotent)."""
    content_type_model = apps.get_model("contenttypes", "ContentType")
    permission_model = apps.get_model("auth", "Permission")
    group_model = apps.get_model("auth", "Group")
    target, _ = group_model.objects.get_or_create(name=group)
    for model, model_actions in actions.items():
        content_type, _ = content_type_model.objects.get_or_create(app_label=app_label, model=model)
        for action in model_actions:
            permission, _ = permission_model.objects.get_or_create(
                content_type=content_type,
                codename=f"{action}_{model}",
                defaults={"name": f"Can {action} {model}"},
            )
            target.permissions.add(permission)
