"""The announcement notification types and the account-level audiences."""

from typing import Any

from django.db.models import QuerySet

from accounts.models import User
from accounts.roles import GROUP_NAMES, Role
from notifications import kinds
from notifications.kinds import Category, Channel
from notifications.segments import segment_register
from privacy.export import exclude as export_exclude
from privacy.registry import holds_nothing_personal


def everyone(params: dict[str, Any]) -> QuerySet[User]:
    return User.objects.filter(is_active=True)


def all_clients(params: dict[str, Any]) -> QuerySet[User]:
    return User.objects.filter(is_active=True, groups__name=GROUP_NAMES[Role.CLIENT])


def register() -> None:
    # Both render from their own folder under notifications/announcements/. Marketing goes
    # only where the person switched "News and offers" on; policy changes are required.
    kinds.register(
        kinds.NotificationType(
            key="announcements.announcement",
            category=Category.MARKETING,
            channels=frozenset({Channel.EMAIL}),
        )
    )
    kinds.register(
        kinds.NotificationType(
            key="announcements.policy_change",
            category=Category.REQUIRED,
            channels=frozenset({Channel.IN_APP, Channel.EMAIL}),
        )
    )
    segment_register("everyone", "Everyone with an account", everyone)
    segment_register("clients", "All clients", all_clients)
    # The author link is a staff reference on a company message, not data about the author
    # (SET_NULL if the account goes), so neither erasure nor the author's export has a part.
    staff_reference = "the staff author of a company-wide announcement; nothing about them"
    holds_nothing_personal(models=("announcements.Announcement",), reason=staff_reference)
    export_exclude(models=("announcements.Announcement",), reason=staff_reference)
