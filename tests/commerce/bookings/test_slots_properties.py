"""Properties of the slot maths around daylight-saving changes (DESIGN.md §7)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from commerce.bookings.selectors import slots_for_service
from tests.commerce.bookings.factories import (
    AvailabilityRuleFactory,
    DateOverrideFactory,
    TimeOffFactory,
)
from tests.marketplace.practitioners.factories import PractitionerProfileFactory, ServiceFactory

pytestmark = pytest.mark.django_db

# Local dates of clock changes in 2025 (spring forward, fall back).
TRANSITIONS = {
    "Europe/London": [dt.date(2025, 3, 30), dt.date(2025, 10, 26)],
    "America/New_York": [dt.date(2025, 3, 9), dt.date(2025, 11, 2)],
    "Australia/Sydney": [dt.date(2025, 10, 5), dt.date(2025, 4, 6)],
}
STEP = dt.timedelta(minutes=5)


def minutes_of_day(value: int) -> dt.time:
    return dt.time(value // 60, value % 60)


@st.composite
def windows(draw):
    start = draw(st.integers(0, 24 * 60 - 10).map(lambda m: m - m % 5))
    end = draw(st.integers(start + 5, 24 * 60 - 5).map(lambda m: m - m % 5))
    return minutes_of_day(start), minutes_of_day(end)


@st.composite
def scenarios(draw):
    zone_name = draw(st.sampled_from(sorted(TRANSITIONS)))
    change = draw(st.sampled_from(TRANSITIONS[zone_name]))
    zone = ZoneInfo(zone_name)
    first_day = change - dt.timedelta(days=1)
    range_start = dt.datetime.combine(first_day, dt.time(), tzinfo=zone).astimezone(dt.UTC)
    range_start += dt.timedelta(minutes=draw(st.integers(0, 20 * 60)))
    range_end = range_start + dt.timedelta(hours=draw(st.integers(6, 4 * 24)))
    rules = draw(st.lists(st.tuples(st.integers(0, 6), windows()), min_size=1, max_size=4))
    override_days = draw(st.lists(st.integers(0, 4), max_size=2, unique=True))
    overrides = [
        (first_day + dt.timedelta(days=offset), draw(st.one_of(st.none(), windows())))
        for offset in override_days
    ]

    def interval():
        return st.tuples(st.integers(-12 * 60, 6 * 24 * 60), st.integers(1, 8 * 60)).map(
            lambda pair: (
                range_start + dt.timedelta(minutes=pair[0]),
                range_start + dt.timedelta(minutes=pair[0] + pair[1]),
            )
        )

    return {
        "zone": zone_name,
        "range": (range_start, range_end),
        "now": range_start - dt.timedelta(minutes=draw(st.integers(0, 24 * 60))),
        "rules": rules,
        "overrides": overrides,
        "time_off": draw(st.lists(interval(), max_size=3)),
        "busy": draw(st.lists(interval(), max_size=6)),
        "duration": draw(st.sampled_from([5, 15, 30, 45, 50, 60, 90, 120, 240])),
        "buffer_before": draw(st.sampled_from([0, 5, 15, 30, 60])),
        "buffer_after": draw(st.sampled_from([0, 10, 15, 45])),
        "notice": draw(st.integers(0, 6 * 60)),
        "advance": draw(st.integers(2, 7)),
    }


def local_windows(scenario, day: dt.date) -> list[tuple[dt.time, dt.time]]:
    overrides = [window for date, window in scenario["overrides"] if date == day]
    if any(date == day for date, _ in scenario["overrides"]):
        return [window for window in overrides if window is not None]
    return [window for weekday, window in scenario["rules"] if weekday == day.weekday()]


def inside_some_window(scenario, zone, instant: dt.datetime) -> bool:
    local = instant.astimezone(zone)
    return any(start <= local.time() < end for start, end in local_windows(scenario, local.date()))


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=scenarios())
def test_slot_properties_across_clock_changes(scenario):
    zone = ZoneInfo(scenario["zone"])
    practitioner = PractitionerProfileFactory(time_zone=scenario["zone"])
    service = ServiceFactory(
        practitioner=practitioner,
        duration_minutes=scenario["duration"],
        buffer_before_minutes=scenario["buffer_before"],
        buffer_after_minutes=scenario["buffer_after"],
        minimum_notice_minutes=scenario["notice"],
        maximum_advance_days=scenario["advance"],
    )
    for weekday, (start, end) in scenario["rules"]:
        AvailabilityRuleFactory(
            practitioner=practitioner, weekday=weekday, start_time=start, end_time=end
        )
    for date, window in scenario["overrides"]:
        start, end = window or (None, None)
        DateOverrideFactory(practitioner=practitioner, date=date, start_time=start, end_time=end)
    for starts_at, ends_at in scenario["time_off"]:
        TimeOffFactory(practitioner=practitioner, starts_at=starts_at, ends_at=ends_at)

    range_start, range_end = scenario["range"]
    now = scenario["now"]
    slots = slots_for_service(
        service=service, start=range_start, end=range_end, now=now, busy=scenario["busy"]
    )

    duration = dt.timedelta(minutes=scenario["duration"])
    before = dt.timedelta(minutes=scenario["buffer_before"])
    after = dt.timedelta(minutes=scenario["buffer_after"])
    blockers = [*scenario["time_off"], *scenario["busy"]]
    for slot in slots:
        assert slot.starts_at.utcoffset() == dt.timedelta(0)
        # Real elapsed time, whatever the clocks did.
        assert slot.ends_at - slot.starts_at == duration
        assert range_start <= slot.starts_at < range_end
        assert slot.starts_at >= now + dt.timedelta(minutes=scenario["notice"])
        assert slot.starts_at <= now + dt.timedelta(days=scenario["advance"])
        # Every moment of the slot is inside a window on the local wall clock.
        moment = slot.starts_at
        while moment < slot.ends_at:
            assert inside_some_window(scenario, zone, moment), (slot, moment.astimezone(zone))
            moment += STEP
        assert inside_some_window(scenario, zone, slot.ends_at - dt.timedelta(seconds=1))
        for block_start, block_end in blockers:
            assert not (block_start < slot.ends_at + after and block_end > slot.starts_at - before)
    event("has slots" if slots else "no slots")
    assert slots == sorted(slots)
    for earlier, later in zip(slots, slots[1:], strict=False):
        assert earlier.ends_at <= later.starts_at  # no duplicates, no overlaps
