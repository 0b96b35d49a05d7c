import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from commerce.bookings.selectors import Slot, diaries_for, slots_for_service, slots_in_zone
from tests.commerce.bookings.factories import (
    AvailabilityRuleFactory,
    BusyTimeFactory,
    DateOverrideFactory,
    ExternalCalendarFactory,
    TimeOffFactory,
)
from tests.marketplace.practitioners.factories import PractitionerProfileFactory, ServiceFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC
DAY = dt.timedelta(days=1)


def utc(*args):
    return dt.datetime(*args, tzinfo=UTC)


def starts(slots):
    return [slot.starts_at for slot in slots]


def service_in(zone, **fields):
    practitioner = PractitionerProfileFactory(time_zone=zone)
    fields.setdefault("maximum_advance_days", 730)
    return ServiceFactory(practitioner=practitioner, **fields)


def local_starts(slots, zone):
    return [slot.starts_at.strftime("%H:%M %Z") for slot in slots_in_zone(slots, zone)]


def test_monday_rule_gives_hourly_slots_in_local_time():
    service = service_in("Europe/London")
    AvailabilityRuleFactory(practitioner=service.practitioner, weekday=0)
    # Monday 2030-07-01: London is on BST (UTC+1).
    slots = slots_for_service(
        service=service, start=utc(2030, 7, 1), end=utc(2030, 7, 2), now=utc(2030, 7, 1) - DAY
    )
    assert starts(slots) == [utc(2030, 7, 1, hour) for hour in range(8, 16)]
    assert all(slot.ends_at - slot.starts_at == dt.timedelta(hours=1) for slot in slots)
    assert all(slot.starts_at.tzinfo is UTC for slot in slots)


def test_rule_stays_at_nine_local_across_the_clock_change():
    service = service_in("Europe/London")
    AvailabilityRuleFactory(
        practitioner=service.practitioner, weekday=0, start_time=dt.time(9), end_time=dt.time(10)
    )
    slots = slots_for_service(
        service=service, start=utc(2025, 3, 20), end=utc(2025, 4, 10), now=utc(2025, 3, 20) - DAY
    )
    # 24 March (GMT) 09:00Z; 31 March and 7 April (BST) 08:00Z.
    assert starts(slots) == [utc(2025, 3, 24, 9), utc(2025, 3, 31, 8), utc(2025, 4, 7, 8)]
    assert local_starts(slots, "Europe/London") == ["09:00 GMT", "09:00 BST", "09:00 BST"]


def test_spring_forward_window_is_shortened_not_shifted():
    # New York, Sunday 9 March 2025: 02:00 EST jumps to 03:00 EDT.
    service = service_in("America/New_York")
    AvailabilityRuleFactory(
        practitioner=service.practitioner,
        weekday=6,
        start_time=dt.time(1),
        end_time=dt.time(5),
    )
    slots = slots_for_service(
        service=service, start=utc(2025, 3, 9), end=utc(2025, 3, 10), now=utc(2025, 3, 9) - DAY
    )
    assert local_starts(slots, "America/New_York") == ["01:00 EST", "03:00 EDT", "04:00 EDT"]
    assert starts(slots) == [utc(2025, 3, 9, 6), utc(2025, 3, 9, 7), utc(2025, 3, 9, 8)]


def test_window_starting_inside_the_missing_hour_starts_when_the_clock_resumes():
    service = service_in("America/New_York", duration_minutes=30)
    AvailabilityRuleFactory(
        practitioner=service.practitioner,
        weekday=6,
        start_time=dt.time(2, 30),
        end_time=dt.time(4),
    )
    slots = slots_for_service(
        service=service, start=utc(2025, 3, 9), end=utc(2025, 3, 10), now=utc(2025, 3, 9) - DAY
    )
    assert local_starts(slots, "America/New_York") == ["03:00 EDT", "03:30 EDT"]


def test_fall_back_repeated_hour_gives_no_duplicates():
    # New York, Sunday 2 November 2025: 02:00 EDT falls back to 01:00 EST.
    service = service_in("America/New_York")
    AvailabilityRuleFactory(
        practitioner=service.practitioner, weekday=6, start_time=dt.time(0), end_time=dt.time(3)
    )
    slots = slots_for_service(
        service=service, start=utc(2025, 11, 2), end=utc(2025, 11, 3), now=utc(2025, 11, 2) - DAY
    )
    # 00:00–03:00 on the wall lasts four real hours that night; each hour is offered once.
    assert local_starts(slots, "America/New_York") == [
        "00:00 EDT",
        "01:00 EDT",
        "01:00 EST",
        "02:00 EST",
    ]
    assert len(set(slots)) == len(slots)


def test_fall_back_window_starting_in_the_repeated_hour_keeps_to_the_wall_clock():
    service = service_in("America/New_York", duration_minutes=30)
    AvailabilityRuleFactory(
        practitioner=service.practitioner,
        weekday=6,
        start_time=dt.time(1, 30),
        end_time=dt.time(2, 30),
    )
    slots = slots_for_service(
        service=service, start=utc(2025, 11, 2), end=utc(2025, 11, 3), now=utc(2025, 11, 2) - DAY
    )
    # Both passes through 01:30–02:00 are inside the window; 01:00–01:30 EST is not.
    assert local_starts(slots, "America/New_York") == [
        "01:30 EDT",
        "01:30 EST",
        "02:00 EST",
    ]


def test_sydney_spring_forward():
    # Sydney, Sunday 5 October 2025: 02:00 AEST jumps to 03:00 AEDT.
    service = service_in("Australia/Sydney")
    AvailabilityRuleFactory(
        practitioner=service.practitioner, weekday=6, start_time=dt.time(1), end_time=dt.time(4)
    )
    slots = slots_for_service(
        service=service, start=utc(2025, 10, 4), end=utc(2025, 10, 5), now=utc(2025, 10, 4) - DAY
    )
    assert local_starts(slots, "Australia/Sydney") == ["01:00 AEST", "03:00 AEDT"]


def test_date_override_replaces_the_rules_of_that_day():
    service = service_in("Europe/London")
    practitioner = service.practitioner
    AvailabilityRuleFactory(practitioner=practitioner, weekday=0)  # Mondays 09–17
    DateOverrideFactory(practitioner=practitioner, date=dt.date(2030, 1, 7))  # closed
    DateOverrideFactory(
        practitioner=practitioner,
        date=dt.date(2030, 1, 14),
        start_time=dt.time(18),
        end_time=dt.time(20),
    )
    DateOverrideFactory(  # a Saturday the rules leave empty
        practitioner=practitioner,
        date=dt.date(2030, 1, 19),
        start_time=dt.time(10),
        end_time=dt.time(11),
    )
    slots = slots_for_service(
        service=service, start=utc(2030, 1, 7), end=utc(2030, 1, 22), now=utc(2030, 1, 7) - DAY
    )
    assert starts(slots) == [
        utc(2030, 1, 14, 18),
        utc(2030, 1, 14, 19),
        utc(2030, 1, 19, 10),
        *[utc(2030, 1, 21, hour) for hour in range(9, 17)],
    ]


def test_rule_validity_dates_are_inclusive():
    service = service_in("Europe/London")
    AvailabilityRuleFactory(
        practitioner=service.practitioner,
        start_time=dt.time(9),
        end_time=dt.time(10),
        valid_from=dt.date(2030, 1, 14),
        valid_until=dt.date(2030, 1, 21),
    )
    slots = slots_for_service(
        service=service, start=utc(2030, 1, 1), end=utc(2030, 2, 1), now=utc(2030, 1, 1) - DAY
    )
    assert starts(slots) == [utc(2030, 1, 14, 9), utc(2030, 1, 21, 9)]


def test_overlapping_rules_are_merged_before_stepping():
    service = service_in("Europe/London")
    practitioner = service.practitioner
    AvailabilityRuleFactory(practitioner=practitioner, start_time=dt.time(9), end_time=dt.time(11))
    AvailabilityRuleFactory(
        practitioner=practitioner, start_time=dt.time(10, 30), end_time=dt.time(12)
    )
    slots = slots_for_service(
        service=service, start=utc(2030, 1, 7), end=utc(2030, 1, 8), now=utc(2030, 1, 7) - DAY
    )
    assert starts(slots) == [utc(2030, 1, 7, 9), utc(2030, 1, 7, 10), utc(2030, 1, 7, 11)]


def test_time_off_busy_times_and_passed_busy_block_with_buffers():
    service = service_in("Europe/London", buffer_before_minutes=15, buffer_after_minutes=15)
    practitioner = service.practitioner
    AvailabilityRuleFactory(practitioner=practitioner)  # Monday 2030-01-07 09–17 (GMT)
    TimeOffFactory(
        practitioner=practitioner, starts_at=utc(2030, 1, 7, 9), ends_at=utc(2030, 1, 7, 10)
    )
    calendar = ExternalCalendarFactory(practitioner=practitioner)
    BusyTimeFactory(calendar=calendar, starts_at=utc(2030, 1, 7, 12), ends_at=utc(2030, 1, 7, 13))
    BusyTimeFactory(  # an inactive calendar does not block
        calendar=ExternalCalendarFactory(practitioner=practitioner, is_active=False),
        starts_at=utc(2030, 1, 7, 15),
        ends_at=utc(2030, 1, 7, 16),
    )
    TimeOffFactory(starts_at=utc(2030, 1, 7, 14), ends_at=utc(2030, 1, 7, 15))  # someone else
    busy = [(utc(2030, 1, 7, 16, 50), utc(2030, 1, 7, 17, 30))]
    slots = slots_for_service(
        service=service,
        start=utc(2030, 1, 7),
        end=utc(2030, 1, 8),
        now=utc(2030, 1, 7) - DAY,
        busy=busy,
    )
    # 10:00 starts right after the time off: its 15-minute buffer before reaches back to 09:45.
    # 11:00 ends at 12:00 but needs 15 minutes after; 13:00 needs 15 minutes before.
    # 16:00 would need until 17:15; the passed-in interval starts at 16:50.
    assert starts(slots) == [utc(2030, 1, 7, hour) for hour in (14, 15)]


def test_buffers_allow_adjacent_slots_when_the_block_is_far_enough():
    service = service_in("Europe/London", buffer_after_minutes=30)
    AvailabilityRuleFactory(practitioner=service.practitioner)
    busy = [(utc(2030, 1, 7, 10, 30), utc(2030, 1, 7, 11))]
    slots = slots_for_service(
        service=service,
        start=utc(2030, 1, 7),
        end=utc(2030, 1, 7, 13),
        now=utc(2030, 1, 7) - DAY,
        busy=busy,
    )
    # 09:00–10:00 + 30 min ends exactly at 10:30: free. 11:00 itself is free (no buffer before).
    assert starts(slots) == [utc(2030, 1, 7, 9), utc(2030, 1, 7, 11), utc(2030, 1, 7, 12)]


def test_minimum_notice_and_maximum_advance():
    service = service_in("Europe/London", minimum_notice_minutes=90, maximum_advance_days=7)
    AvailabilityRuleFactory(practitioner=service.practitioner)
    now = utc(2030, 1, 7, 9, 45)
    slots = slots_for_service(service=service, start=utc(2030, 1, 1), end=utc(2030, 2, 1), now=now)
    # Grid stays on the hour: first slot at or after 11:15 is 12:00. Next Monday 09:00 is
    # within 7 days (10:00 onwards is not).
    assert starts(slots) == [
        *[utc(2030, 1, 7, hour) for hour in range(12, 17)],
        utc(2030, 1, 14, 9),
    ]


def test_results_start_within_the_requested_range():
    service = service_in("Europe/London")
    AvailabilityRuleFactory(practitioner=service.practitioner)
    slots = slots_for_service(
        service=service,
        start=utc(2030, 1, 7, 10, 30),
        end=utc(2030, 1, 7, 12),
        now=utc(2030, 1, 7, 10, 30) - DAY,
    )
    assert starts(slots) == [utc(2030, 1, 7, 11)]


def test_inactive_service_or_empty_range_has_no_slots(django_assert_num_queries):
    service = service_in("Europe/London", is_active=False)
    AvailabilityRuleFactory(practitioner=service.practitioner)
    with django_assert_num_queries(0):
        assert slots_for_service(service=service, start=utc(2030, 1, 7), end=utc(2030, 1, 8)) == []
        assert slots_for_service(service=service, start=utc(2030, 1, 8), end=utc(2030, 1, 7)) == []


def test_naive_datetimes_are_refused():
    service = service_in("Europe/London")
    with pytest.raises(ValueError, match="timezone-aware"):
        slots_for_service(
            service=service,
            start=dt.datetime(2030, 1, 7),  # noqa: DTZ001
            end=utc(2030, 1, 8),
        )


def test_slots_in_zone_keeps_the_instants():
    slot = Slot(utc(2030, 7, 1, 8), utc(2030, 7, 1, 9))
    [local] = slots_in_zone([slot], "Australia/Sydney")
    assert local == slot
    assert local.starts_at.utcoffset() == dt.timedelta(hours=10)
    assert slots_in_zone([slot], ZoneInfo("UTC")) == [slot]


@pytest.mark.parametrize("size", [10, 200])
def test_query_count_does_not_grow_with_the_diary(size, django_assert_num_queries):
    service = service_in("Europe/London", duration_minutes=30)
    practitioner = service.practitioner
    calendar = ExternalCalendarFactory(practitioner=practitioner)
    for index in range(size):
        day = dt.date(2030, 1, 1) + dt.timedelta(days=index % 60)
        AvailabilityRuleFactory(
            practitioner=practitioner,
            weekday=index % 7,
            start_time=dt.time(8 + index % 6),
            end_time=dt.time(15 + index % 6),
        )
        DateOverrideFactory(practitioner=practitioner, date=day + dt.timedelta(days=300))
        moment = dt.datetime.combine(day, dt.time(10, index % 60), tzinfo=UTC)
        TimeOffFactory(
            practitioner=practitioner, starts_at=moment, ends_at=moment + dt.timedelta(minutes=7)
        )
        BusyTimeFactory(
            calendar=calendar,
            starts_at=moment + dt.timedelta(hours=3),
            ends_at=moment + dt.timedelta(hours=4),
        )
    busy = [(utc(2030, 1, 1, 12) + dt.timedelta(hours=i), utc(2030, 1, 1, 13)) for i in range(size)]
    with django_assert_num_queries(4):
        slots = slots_for_service(
            service=service,
            start=utc(2030, 1, 1),
            end=utc(2030, 3, 1),
            now=utc(2030, 1, 1) - DAY,
            busy=busy,
        )
    assert slots


def _busy_diary_service(zone="Europe/London", **fields):
    service = service_in(zone, duration_minutes=45, buffer_before_minutes=15, **fields)
    practitioner = service.practitioner
    for weekday in range(5):
        AvailabilityRuleFactory(practitioner=practitioner, weekday=weekday)
    AvailabilityRuleFactory(
        practitioner=practitioner, weekday=5, start_time=dt.time(10), end_time=dt.time(12)
    )
    DateOverrideFactory(practitioner=practitioner, date=dt.date(2030, 1, 8))  # closed
    DateOverrideFactory(
        practitioner=practitioner,
        date=dt.date(2030, 1, 9),
        start_time=dt.time(13),
        end_time=dt.time(15),
    )
    TimeOffFactory(
        practitioner=practitioner, starts_at=utc(2030, 1, 7, 10), ends_at=utc(2030, 1, 7, 11)
    )
    BusyTimeFactory(
        calendar=ExternalCalendarFactory(practitioner=practitioner),
        starts_at=utc(2030, 1, 10, 14),
        ends_at=utc(2030, 1, 10, 15, 30),
    )
    return service


@pytest.mark.parametrize("zone", ["Europe/London", "America/New_York", "Australia/Sydney"])
def test_a_preloaded_diary_gives_the_same_slots(zone):
    service = _busy_diary_service(zone)
    other = _busy_diary_service(zone)
    start, end, now = utc(2030, 1, 6), utc(2030, 1, 13), utc(2030, 1, 1)
    diaries = diaries_for(
        practitioner_ids=[service.practitioner_id, other.practitioner_id],
        first_day=dt.date(2030, 1, 3),
        last_day=dt.date(2030, 1, 16),
        since=utc(2030, 1, 3),
        until=utc(2030, 1, 16),
    )
    expected = slots_for_service(service=service, start=start, end=end, now=now)
    assert expected
    assert (
        slots_for_service(
            service=service, start=start, end=end, now=now, diary=diaries[service.practitioner_id]
        )
        == expected
    )


def test_diaries_cost_four_queries_for_any_number_of_practitioners(django_assert_num_queries):
    services = [_busy_diary_service() for _ in range(5)]
    with django_assert_num_queries(4):
        diaries = diaries_for(
            practitioner_ids=[service.practitioner_id for service in services],
            first_day=dt.date(2030, 1, 3),
            last_day=dt.date(2030, 1, 16),
            since=utc(2030, 1, 3),
            until=utc(2030, 1, 16),
        )
    with django_assert_num_queries(0):
        for service in services:
            assert slots_for_service(
                service=service,
                start=utc(2030, 1, 6),
                end=utc(2030, 1, 13),
                now=utc(2030, 1, 1),
                diary=diaries[service.practitioner_id],
            )


def test_a_diary_that_does_not_cover_the_range_is_refused():
    service = _busy_diary_service()
    [diary] = diaries_for(
        practitioner_ids=[service.practitioner_id],
        first_day=dt.date(2030, 1, 7),
        last_day=dt.date(2030, 1, 8),
        since=utc(2030, 1, 7),
        until=utc(2030, 1, 8),
    ).values()
    with pytest.raises(ValueError, match="does not cover"):
        slots_for_service(
            service=service,
            start=utc(2030, 1, 6),
            end=utc(2030, 1, 13),
            now=utc(2030, 1, 1),
            diary=diary,
        )
