import datetime as dt

import factory

from commerce.bookings.models import (
    AvailabilityRule,
    BusyTime,
    DateOverride,
    ExternalCalendar,
    TimeOff,
)
from tests.marketplace.practitioners.factories import PractitionerProfileFactory


class AvailabilityRuleFactory(factory.django.DjangoModelFactory):
    """Mondays 09:00–17:00 local time."""

    class Meta:
        model = AvailabilityRule

    practitioner = factory.SubFactory(PractitionerProfileFactory)
    weekday = 0
    start_time = dt.time(9)
    end_time = dt.time(17)


class DateOverrideFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DateOverride

    practitioner = factory.SubFactory(PractitionerProfileFactory)
    date = dt.date(2030, 1, 7)
    start_time = None
    end_time = None


class TimeOffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimeOff

    practitioner = factory.SubFactory(PractitionerProfileFactory)
    starts_at = dt.datetime(2030, 1, 7, 9, tzinfo=dt.UTC)
    ends_at = factory.LazyAttribute(lambda row: row.starts_at + dt.timedelta(hours=2))


class ExternalCalendarFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExternalCalendar

    practitioner = factory.SubFactory(PractitionerProfileFactory)
    ical_url = factory.Sequence(lambda n: f"https://calendar.example.org/feeds/{n}.ics")


class BusyTimeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BusyTime

    calendar = factory.SubFactory(ExternalCalendarFactory)
    starts_at = dt.datetime(2030, 1, 7, 9, tzinfo=dt.UTC)
    ends_at = factory.LazyAttribute(lambda row: row.starts_at + dt.timedelta(hours=1))
    uid = factory.Sequence(lambda n: f"event-{n}@example.org")
