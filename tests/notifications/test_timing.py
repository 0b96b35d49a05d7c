"""Quiet hours and the digest hour on the person's own clock."""

from datetime import UTC, datetime, time

from accounts.models import User
from notifications.models import NotificationSettings
from notifications.timing import hold_until, next_digest_at, quiet_hours_end


def _person(zone: str, start: time | None, end: time | None, digest_hour: int = 8):
    user = User(email="t@example.com", time_zone=zone)
    return user, NotificationSettings(
        user=user, quiet_start=start, quiet_end=end, digest_hour=digest_hour
    )


def test_quiet_hours_across_midnight_in_the_persons_zone():
    user, settings = _person("Europe/London", time(22), time(7))
    # 23:30 in London (GMT in December) is quiet until 07:00 the next morning.
    now = datetime(2026, 12, 7, 23, 30, tzinfo=UTC)
    assert quiet_hours_end(user=user, settings=settings, now=now) == datetime(
        2026, 12, 8, 7, 0, tzinfo=UTC
    )
    # 06:59 is still quiet, 07:00 is not, nor is the afternoon.
    assert quiet_hours_end(
        user=user, settings=settings, now=datetime(2026, 12, 8, 6, 59, tzinfo=UTC)
    ) == datetime(2026, 12, 8, 7, 0, tzinfo=UTC)
    assert (
        quiet_hours_end(user=user, settings=settings, now=datetime(2026, 12, 8, 7, 0, tzinfo=UTC))
        is None
    )
    assert (
        quiet_hours_end(user=user, settings=settings, now=datetime(2026, 12, 8, 15, 0, tzinfo=UTC))
        is None
    )


def test_quiet_hours_follow_the_zone_not_utc():
    user, settings = _person("America/New_York", time(22), time(7))
    # 03:00 UTC is 22:00 in New York: quiet until 07:00 local, 12:00 UTC.
    now = datetime(2026, 12, 8, 3, 0, tzinfo=UTC)
    assert quiet_hours_end(user=user, settings=settings, now=now) == datetime(
        2026, 12, 8, 12, 0, tzinfo=UTC
    )


def test_no_quiet_hours_holds_nothing():
    user, settings = _person("UTC", None, None)
    now = datetime(2026, 12, 8, 3, 0, tzinfo=UTC)
    assert hold_until(user=user, settings=settings, now=now, event_at=None) is None


def test_event_before_the_end_is_not_held():
    user, settings = _person("UTC", time(22), time(7))
    now = datetime(2026, 12, 8, 5, 0, tzinfo=UTC)
    end = datetime(2026, 12, 8, 7, 0, tzinfo=UTC)
    assert hold_until(user=user, settings=settings, now=now, event_at=None) == end
    assert (
        hold_until(
            user=user, settings=settings, now=now, event_at=datetime(2026, 12, 8, 6, 30, tzinfo=UTC)
        )
        is None
    )
    assert hold_until(user=user, settings=settings, now=now, event_at=end) == end


def test_next_digest_at_today_or_tomorrow():
    user, settings = _person("Australia/Sydney", None, None, digest_hour=8)
    # 20:00 UTC on the 7th is 07:00 on the 8th in Sydney (AEDT, +11): digest at 08:00.
    assert next_digest_at(
        user=user, settings=settings, now=datetime(2026, 12, 7, 20, 0, tzinfo=UTC)
    ) == datetime(2026, 12, 7, 21, 0, tzinfo=UTC)
    # Just after 08:00 there: tomorrow's.
    assert next_digest_at(
        user=user, settings=settings, now=datetime(2026, 12, 7, 21, 1, tzinfo=UTC)
    ) == datetime(2026, 12, 8, 21, 0, tzinfo=UTC)


def test_unknown_zone_falls_back_to_utc():
    user, settings = _person("Not/AZone", time(22), time(7))
    now = datetime(2026, 12, 7, 23, 0, tzinfo=UTC)
    assert quiet_hours_end(user=user, settings=settings, now=now) == datetime(
        2026, 12, 8, 7, 0, tzinfo=UTC
    )
