"""The roles a person can hold. A role is a Django group (permissions) and, where the role
carries data, a profile row in the app that owns it (marketplace.clients, .practitioners)."""

from django.db import models


class Role(models.TextChoices):
    CLIENT = "client", "Client"
    PRACTITIONER = "practitioner", "Practitioner"
    EDITOR = "editor", "Editor"
    STAFF = "staff", "Staff"
    PARTNER = "partner", "Partner"


# Group names; "Editors" is the group Wagtail creates with page and media permissions.
GROUP_NAMES: dict[Role, str] = {
    Role.CLIENT: "Clients",
    Role.PRACTITIONER: "Practitioners",
    Role.EDITOR: "Editors",
    Role.STAFF: "Staff",
    Role.PARTNER: "Partners",
}
ROLE_BY_GROUP_NAME = {name: role for role, name in GROUP_NAMES.items()}

# Roles that see other people's information, so must enrol a second factor before
# reaching their dashboards, partner reports or the admins (and time out sooner).
PRIVILEGED_ROLES = frozenset({Role.PRACTITIONER, Role.EDITOR, Role.STAFF, Role.PARTNER})
