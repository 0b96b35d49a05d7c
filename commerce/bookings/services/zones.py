"""The client's time zone for the times we send them (emails, calendar text)."""

from accounts.models import User
from commerce.bookings.directory import _UNCHOSEN_ZONE, _zone_named


def client_time_zone_adopt(*, user: User, browser_zone: str | None) -> bool:
    """Keeps the zone the client's browser reports as their own when they have never
    chosen one (User.time_zone still the "UTC" it starts as), so the booking emails,
    which have no browser to ask, show the times they saw on the page. Never overwrites
    a chosen zone. Returns whether it changed anything."""
    zone = _zone_named(browser_zone)
    if zone is None or not user.is_authenticated or user.time_zone != _UNCHOSEN_ZONE:
        return False
    if zone.key == _UNCHOSEN_ZONE:
        return False
    changed = User.objects.filter(pk=user.pk, time_zone=_UNCHOSEN_ZONE).update(time_zone=zone.key)
    if changed:
        user.time_zone = zone.key
    return bool(changed)
