"""The kinds of notification the platform sends. Each app registers its types from its
AppConfig.ready(); the service looks them up by key when it creates and renders one."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from notifications.models import Notification


class Category(models.TextChoices):
    """What people switch on and off, in the order the settings page lists them."""

    BOOKINGS = "bookings", "Bookings"
    REMINDERS = "reminders", "Reminders"
    MESSAGES = "messages", "Messages"
    PAYMENTS = "payments", "Payments and credits"
    COURSES = "courses", "Courses"
    MARKETING = "marketing", "News and offers"
    REQUIRED = "required", "Required"


class Channel(models.TextChoices):
    IN_APP = "in_app", "In the app"
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"
    PUSH = "push", "Push notification"


@dataclass(frozen=True)
class EmailExtras:
    """What a type adds to its email: attachments (filename, content, mimetype),
    alternative bodies (an ICS invitation as text/calendar) and extra headers
    (List-Unsubscribe)."""

    attachments: tuple[tuple[str, bytes | str, str], ...] = ()
    alternatives: tuple[tuple[str, str], ...] = ()
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class NotificationType:
    key: str
    category: Category
    channels: frozenset[Channel]
    template_dir: str = ""
    # Urgent types are never held for the digest; quiet hours still apply to them.
    urgent: bool = False
    email_extras: Callable[[Notification], EmailExtras] | None = None

    @property
    def templates(self) -> str:
        """The folder holding this type's templates, with a trailing slash."""
        if self.template_dir:
            return self.template_dir.rstrip("/") + "/"
        return "notifications/" + self.key.replace(".", "/") + "/"

    @property
    def digestible(self) -> bool:
        """Whether its email may wait for the person's daily digest."""
        return not self.urgent and self.category != Category.REQUIRED


_registry: dict[str, NotificationType] = {}


def register(notification_type: NotificationType) -> None:
    """Adds a type (from AppConfig.ready()). Registering the same key again replaces it,
    because ready() may run twice."""
    if not notification_type.key or notification_type.key != notification_type.key.strip():
        raise ValueError("A notification type needs a key without surrounding spaces.")
    _registry[notification_type.key] = notification_type


def get(key: str) -> NotificationType:
    """The registered type; KeyError for an unknown key."""
    return _registry[key]


def registered() -> list[NotificationType]:
    return sorted(_registry.values(), key=lambda item: item.key)
