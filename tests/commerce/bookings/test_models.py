import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests.commerce.bookings.factories import (
    AvailabilityRuleFactory,
    BusyTimeFactory,
    DateOverrideFactory,
    TimeOffFactory,
)

pytestmark = pytest.mark.django_db


def _refused(factory, **fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        factory(**fields)


def test_rule_must_start_before_it_ends():
    _refused(AvailabilityRuleFactory, start_time=dt.time(17), end_time=dt.time(9))
    rule = AvailabilityRuleFactory.build(start_time=dt.time(10), end_time=dt.time(10))
    with pytest.raises(ValidationError):
        rule.clean()


def test_rule_weekday_and_validity_range():
    _refused(AvailabilityRuleFactory, weekday=7)
    _refused(
        AvailabilityRuleFactory,
        valid_from=dt.date(2030, 2, 1),
        valid_until=dt.date(2030, 1, 1),
    )
    assert str(AvailabilityRuleFactory()) == "Monday 09:00–17:00"


def test_override_is_closed_or_a_window():
    assert DateOverrideFactory().is_closed
    DateOverrideFactory(start_time=dt.time(10), end_time=dt.time(12))
    _refused(DateOverrideFactory, start_time=dt.time(10), end_time=None)
    _refused(DateOverrideFactory, start_time=dt.time(12), end_time=dt.time(10))
    with pytest.raises(ValidationError):
        DateOverrideFactory.build(start_time=dt.time(10)).clean()


def test_time_off_and_busy_time_must_start_before_they_end():
    moment = dt.datetime(2030, 1, 7, 9, tzinfo=dt.UTC)
    _refused(TimeOffFactory, starts_at=moment, ends_at=moment)
    _refused(BusyTimeFactory, starts_at=moment, ends_at=moment - dt.timedelta(minutes=1))
