"""Reads the pages, the API and the service share."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Exists, OuterRef, QuerySet

from accounts.models import User
from notifications import preferences
from notifications.kinds import Category, Channel
from notifications.models import (
    ContactPoint,
    Delivery,
    Notification,
    NotificationPreference,
    NotificationSettings,
)

UNREAD_CACHE_SECONDS = 60 * 60


def unread_cache_key(user_id: int) -> str:
    return f"notifications:unread:{user_id}"


def notifications_for(user: User) -> QuerySet[Notification]:
    """The person's in-app notifications, newest first (a notification whose in-app
    channel they switched off is not listed)."""
    in_app = Delivery.objects.filter(notification=OuterRef("pk"), channel=Channel.IN_APP)
    return Notification.objects.filter(recipient=user).filter(Exists(in_app))


def unread_count(user: User) -> int:
    """How many in-app notifications the person has not read. Cached per person (the bell
    asks on every page) and invalidated when one is created or read."""
    key = unread_cache_key(user.pk)
    cached = cache.get(key)
    if cached is not None:
        return int(cached)
    count = notifications_for(user).filter(read_at__isnull=True).count()
    cache.set(key, count, UNREAD_CACHE_SECONDS)
    return count


def unread_count_forget(user_id: int) -> None:
    cache.delete(unread_cache_key(user_id))


def settings_for(user: User) -> NotificationSettings:
    """The person's settings, or unsaved defaults (no row until they change something)."""
    found = NotificationSettings.objects.filter(user=user).first()
    return found or NotificationSettings(user=user)


def contact_point_for(user: User) -> ContactPoint | None:
    return ContactPoint.objects.filter(user=user).first()


def _overrides(user: User) -> dict[tuple[str, str], bool]:
    rows = NotificationPreference.objects.filter(user=user).values_list(
        "category", "channel", "enabled"
    )
    return {(category, channel): enabled for category, channel, enabled in rows}


def _enabled(
    overrides: dict[tuple[str, str], bool], category: str, channel: str, *, can_text: bool
) -> bool:
    if not preferences.is_available(category, channel):
        return False
    if preferences.is_locked(category, channel):
        return True
    if channel == Channel.SMS and not can_text:
        return False
    return overrides.get((category, channel), preferences.default_enabled(category, channel))


def channel_enabled(user: User, category: str, channel: str) -> bool:
    """Whether this person gets this category on this channel: the category can use it,
    they have not switched it off (or it is locked on), and for SMS they gave a number
    and agreed to texts."""
    contact = contact_point_for(user) if channel == Channel.SMS else None
    return _enabled(
        _overrides(user), category, channel, can_text=bool(contact and contact.can_text)
    )


def enabled_channels(user: User, category: str) -> set[str]:
    """Every channel `channel_enabled` allows for this category, with two queries."""
    overrides = _overrides(user)
    contact = contact_point_for(user)
    can_text = bool(contact and contact.can_text)
    return {
        channel for channel in Channel if _enabled(overrides, category, channel, can_text=can_text)
    }


@dataclass(frozen=True)
class PreferenceCell:
    channel: Channel
    enabled: bool
    locked: bool
    available: bool


@dataclass(frozen=True)
class PreferenceRow:
    category: Category
    label: str
    cells: tuple[PreferenceCell, ...]


def preferences_matrix(user: User) -> list[PreferenceRow]:
    """One row per category (in the settings page's order), one cell per channel:
    `available` (the category can use the channel at all; SMS also needs a number the
    person agreed to receive texts on), `locked` (required, cannot be switched off) and
    `enabled` (the saved choice or the default)."""
    overrides = _overrides(user)
    contact = contact_point_for(user)
    can_text = bool(contact and contact.can_text)
    rows = []
    for category in Category:
        cells = []
        for channel in Channel:
            available = preferences.is_available(category, channel)
            locked = preferences.is_locked(category, channel)
            if locked:
                enabled = True
            elif available:
                enabled = overrides.get(
                    (category, channel), preferences.default_enabled(category, channel)
                )
            else:
                enabled = False
            if channel == Channel.SMS and not can_text:
                available = False
            cells.append(
                PreferenceCell(channel=channel, enabled=enabled, locked=locked, available=available)
            )
        rows.append(PreferenceRow(category=category, label=category.label, cells=tuple(cells)))
    return rows
