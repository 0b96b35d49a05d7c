"""The preference matrix: every category × channel, opted in or out, inside or outside
quiet hours, decides which deliveries exist and in what state."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from notifications import kinds, selectors
from notifications.kinds import Category, Channel, NotificationType
from notifications.models import Delivery
from notifications.preferences import AVAILABLE, DEFAULT_ON, LOCKED
from notifications.services import (
    contact_point_set,
    notification_settings_update,
    notify,
    preference_set,
)
from tests.accounts.factories import UserFactory
from tests.notifications.core_support import CONTEXT

pytestmark = pytest.mark.django_db

ZONE = "Australia/Adelaide"  # a half-hour offset: quiet hours must follow the person's clock


@pytest.fixture
def matrix_types(notification_types, monkeypatch):
    """One type per category using every channel (the reminder's templates)."""
    for category in Category:
        monkeypatch.setitem(
            kinds._registry,
            f"tests.matrix.{category}",
            NotificationType(
                key=f"tests.matrix.{category}",
                category=category,
                channels=frozenset(Channel),
                template_dir="notifications/tests/reminder",
            ),
        )


def _quiet_now(user) -> datetime:
    """Quiet hours around the present moment in the person's zone; returns their end."""
    local = timezone.now().astimezone(ZoneInfo(ZONE))
    start = (local - timedelta(hours=1)).time().replace(second=0, microsecond=0)
    end_at = (local + timedelta(hours=2)).replace(second=0, microsecond=0)
    notification_settings_update(
        user=user, quiet_start=start, quiet_end=end_at.time(), digest=False
    )
    return end_at


@pytest.mark.parametrize("quiet", [False, True], ids=["daytime", "quiet-hours"])
@pytest.mark.parametrize("opted_in", [True, False], ids=["opted-in", "opted-out"])
@pytest.mark.parametrize("channel", list(Channel))
@pytest.mark.parametrize("category", list(Category))
def test_preference_matrix(matrix_types, category, channel, opted_in, quiet):
    user = UserFactory(time_zone=ZONE)
    contact_point_set(user=user, phone_number="+61412345678", sms_opt_in=True)
    available = channel in AVAILABLE[category]
    locked = channel in LOCKED.get(category, frozenset())
    if available and not locked:
        preference_set(user=user, category=category, channel=channel, enabled=opted_in)
    else:
        with pytest.raises(ValidationError):
            preference_set(user=user, category=category, channel=channel, enabled=opted_in)
    quiet_end = _quiet_now(user) if quiet else None

    notification = notify(
        recipient=user,
        type_key=f"tests.matrix.{category}",
        context=CONTEXT,
        dedupe_key="matrix",
        channels=[channel],
    )

    expected = locked or (available and opted_in)
    assert selectors.channel_enabled(user, category, channel) is expected
    deliveries = list(notification.deliveries.all())
    if not expected:
        assert deliveries == []
        return
    (row,) = deliveries
    if channel == Channel.IN_APP:
        assert row.state == Delivery.State.SENT
    elif channel in (Channel.SMS, Channel.PUSH) and quiet:
        assert row.state == Delivery.State.HELD
        assert row.next_attempt_at == quiet_end
    else:
        assert row.state == Delivery.State.PENDING


@pytest.mark.parametrize("category", list(Category))
def test_defaults(matrix_types, category):
    user = UserFactory()
    contact_point_set(user=user, phone_number="+447700900123", sms_opt_in=True)
    notification = notify(
        recipient=user, type_key=f"tests.matrix.{category}", context=CONTEXT, dedupe_key="d"
    )
    channels = set(notification.deliveries.values_list("channel", flat=True))
    assert channels == set(DEFAULT_ON[category])
    if category == Category.MARKETING:
        assert channels == set()  # opt-in only


def test_sms_needs_a_number_with_consent(matrix_types):
    user = UserFactory()
    notification = notify(
        recipient=user, type_key="tests.matrix.reminders", context=CONTEXT, dedupe_key="a"
    )
    assert not notification.deliveries.filter(channel=Channel.SMS).exists()
    contact_point_set(user=user, phone_number="+447700900123", sms_opt_in=False)
    assert not selectors.channel_enabled(user, Category.REMINDERS, Channel.SMS)
    contact_point_set(user=user, phone_number="+447700900123", sms_opt_in=True)
    assert selectors.channel_enabled(user, Category.REMINDERS, Channel.SMS)


def test_a_session_before_quiet_hours_end_is_not_held(matrix_types):
    user = UserFactory(time_zone=ZONE)
    contact_point_set(user=user, phone_number="+61412345678", sms_opt_in=True)
    quiet_end = _quiet_now(user)
    soon = notify(
        recipient=user,
        type_key="tests.matrix.reminders",
        context=CONTEXT,
        dedupe_key="soon",
        event_at=quiet_end - timedelta(minutes=30),
        channels=[Channel.SMS, Channel.PUSH],
    )
    later = notify(
        recipient=user,
        type_key="tests.matrix.reminders",
        context=CONTEXT,
        dedupe_key="later",
        event_at=quiet_end + timedelta(hours=5),
        channels=[Channel.SMS, Channel.PUSH],
    )
    assert set(soon.deliveries.values_list("state", flat=True)) == {Delivery.State.PENDING}
    assert set(later.deliveries.values_list("state", flat=True)) == {Delivery.State.HELD}


def test_matrix_selector_for_the_settings_page(matrix_types):
    user = UserFactory()
    preference_set(user=user, category=Category.MARKETING, channel=Channel.EMAIL, enabled=True)
    preference_set(user=user, category=Category.BOOKINGS, channel=Channel.PUSH, enabled=False)
    rows = {row.category: row for row in selectors.preferences_matrix(user)}
    assert [row.category for row in selectors.preferences_matrix(user)] == list(Category)
    cells = {cell.channel: cell for cell in rows[Category.BOOKINGS].cells}
    assert cells[Channel.PUSH].enabled is False and cells[Channel.EMAIL].enabled is True
    # No number agreed to yet: texts cannot be switched on from the page.
    assert cells[Channel.SMS].available is False
    marketing = {cell.channel: cell for cell in rows[Category.MARKETING].cells}
    assert marketing[Channel.EMAIL].enabled is True
    assert marketing[Channel.IN_APP].available is False
    required = {cell.channel: cell for cell in rows[Category.REQUIRED].cells}
    assert required[Channel.EMAIL].locked and required[Channel.EMAIL].enabled
    assert rows[Category.PAYMENTS].label == "Payments and credits"


def test_settings_validation():
    user = UserFactory()
    with pytest.raises(ValidationError):
        notification_settings_update(user=user, quiet_start=time(22), quiet_end=None, digest=False)
    with pytest.raises(ValidationError):
        notification_settings_update(
            user=user, quiet_start=time(22), quiet_end=time(22), digest=False
        )
    with pytest.raises(ValidationError):
        notification_settings_update(
            user=user, quiet_start=None, quiet_end=None, digest=True, digest_hour=24
        )
    with pytest.raises(ValidationError):
        notification_settings_update(
            user=user, quiet_start=None, quiet_end=None, digest=True, language="xx"
        )
    saved = notification_settings_update(
        user=user, quiet_start=time(22), quiet_end=time(7), digest=True, digest_hour=18
    )
    assert (saved.quiet_start, saved.quiet_end, saved.email_digest, saved.digest_hour) == (
        time(22),
        time(7),
        True,
        18,
    )


@pytest.mark.parametrize(
    "number", ["07700900123", "+0447700900123", "+44 7700 900123 ext", "", "+4477009001234567"]
)
def test_contact_point_rejects_bad_numbers_for_texts(number):
    with pytest.raises(ValidationError):
        contact_point_set(user=UserFactory(), phone_number=number, sms_opt_in=True)


def test_contact_point_records_consent_times():
    user = UserFactory()
    contact = contact_point_set(user=user, phone_number="+44 7700 900123", sms_opt_in=True)
    assert contact.phone_number == "+447700900123"
    assert contact.sms_consent_at is not None and contact.sms_withdrawn_at is None
    withdrawn = contact_point_set(user=user, phone_number="+447700900123", sms_opt_in=False)
    assert withdrawn.sms_withdrawn_at is not None
    assert withdrawn.sms_consent_at == contact.sms_consent_at
