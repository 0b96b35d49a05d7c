"""Quiet hours and the digest hour, in the person's own time zone."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from accounts.models import User
from notifications.models import NotificationSettings


def person_zone(user: User | None) -> ZoneInfo:
    name = getattr(user, "time_zone", "") or "UTC"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _next_local(now_local: datetime, at: time) -> datetime:
    """The first moment at local wall time `at` after `now_local` (today or tomorrow).
    Built as a wall time and normalised through UTC, so a DST change on the way moves the
    instant with the clock."""
    candidate = now_local.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    if candidate <= now_local:
        candidate = (candidate.replace(tzinfo=None) + timedelta(days=1)).replace(
            tzinfo=now_local.tzinfo
        )
    return candidate


def _in_quiet_hours(local: time, start: time, end: time) -> bool:
    if start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end  # spans midnight (22:00 .. 07:00)


def quiet_hours_end(
    *, user: User, settings: NotificationSettings, now: datetime
) -> datetime | None:
    """When the person's quiet hours end if `now` falls inside them, else None."""
    if settings.quiet_start is None or settings.quiet_end is None:
        return None
    now_local = now.astimezone(person_zone(user))
    if not _in_quiet_hours(now_local.time(), settings.quiet_start, settings.quiet_end):
        return None
    return _next_local(now_local, settings.quiet_end)


def hold_until(
    *, user: User, settings: NotificationSettings, now: datetime, event_at: datetime | None
) -> datetime | None:
    """Until when an SMS or push waits for quiet hours: None to send now. Never held when
    the thing it is about happens before the quiet hours end (a session at 07:30 when
    the quiet hours end at 08:00 gets its reminder now)."""
    end = quiet_hours_end(user=user, settings=settings, now=now)
    if end is None:
        return None
    if event_at is not None and event_at < end:
        return None
    return end


def next_digest_at(*, user: User, settings: NotificationSettings, now: datetime) -> datetime:
    """The next digest_hour:00 in the person's zone after `now`."""
    now_local = now.astimezone(person_zone(user))
    return _next_local(now_local, time(hour=settings.digest_hour))
