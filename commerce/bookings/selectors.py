"""Bookable slots of a service.

How the maths works (docs/bookings.md has the reasoning):

- Weekly rules and date overrides are local wall-clock windows on a local date in the
  practitioner's zone. Each window becomes the exact set of UTC instants whose local time
  falls inside it. On a spring-forward day the missing hour is simply not in that set, so
  a window is shortened, never shifted; on a fall-back day the repeated hour is in it
  twice, as two different real hours, so no instant (and no slot) appears twice.
- Overlapping windows of one day are merged; slots then step by the service's duration
  from the start of each merged window (a fixed grid: the offered times stay the same as
  the diary fills, instead of shifting after every booking).
- Time off, imported busy times and the caller's `busy` intervals are widened by the
  service's buffers, sorted and merged once, then swept alongside the (already sorted)
  candidate slots: O(B log B + S), never pairwise.
- A slot is returned when it starts in [start, end), no earlier than now + minimum notice
  and no later than now + maximum advance.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone

from commerce.bookings.models import AvailabilityRule, Booking, BusyTime, DateOverride, TimeOff
from marketplace.practitioners.models import Service

Interval = tuple[datetime, datetime]

# No zone changes its offset twice within this span, so equal offsets at both ends of a
# local day (padded by the widest offsets in use) mean no transition that day.
_OFFSET_PADDING = timedelta(hours=15)
_SCAN_STEP = timedelta(minutes=30)
# A booking's blocked range (session plus buffers) reaches at most this far beyond the
# slot range it can block (a service lasts at most 8 hours, buffers 4 hours each side).
_BOOKING_REACH = timedelta(days=1)


@dataclass(frozen=True, order=True, slots=True)
class Slot:
    """A bookable [starts_at, ends_at) in UTC."""

    starts_at: datetime
    ends_at: datetime


def slots_in_zone(slots: Iterable[Slot], tz: tzinfo | str) -> list[Slot]:
    """The same slots with their times expressed in `tz` (for display); the instants,
    and so equality, are unchanged."""
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    return [Slot(slot.starts_at.astimezone(zone), slot.ends_at.astimezone(zone)) for slot in slots]


def _offset(zone: tzinfo, instant: datetime) -> timedelta:
    return instant.astimezone(zone).utcoffset() or timedelta(0)


def _first_change(zone: tzinfo, before: datetime, after: datetime) -> datetime:
    """The first instant in (before, after] whose offset differs from `before`'s
    (binary search to the second)."""
    original = _offset(zone, before)
    low, high = 0, int((after - before).total_seconds())
    while high - low > 1:
        middle = (low + high) // 2
        if _offset(zone, before + timedelta(seconds=middle)) == original:
            low = middle
        else:
            high = middle
    return before + timedelta(seconds=high)


def _day_segments(day: date, zone: tzinfo) -> list[tuple[datetime, datetime, timedelta]]:
    """UTC stretches of constant offset covering every instant whose local date is `day`:
    [(from, until, offset)]."""
    midnight = datetime.combine(day, time(), tzinfo=UTC)
    low, high = midnight - _OFFSET_PADDING, midnight + timedelta(days=1) + _OFFSET_PADDING
    if _offset(zone, low) == _offset(zone, high):
        return [(low, high, _offset(zone, low))]
    segments = []
    segment_start, previous = low, low
    while previous < high:
        current = min(previous + _SCAN_STEP, high)
        if _offset(zone, current) != _offset(zone, previous):
            change = _first_change(zone, previous, current)
            segments.append((segment_start, change, _offset(zone, segment_start)))
            segment_start = change
        previous = current
    segments.append((segment_start, high, _offset(zone, segment_start)))
    return segments


def _window_instants(
    day: date, start: time, end: time, segments: list[tuple[datetime, datetime, timedelta]]
) -> list[Interval]:
    """The UTC intervals whose local wall-clock time on `day` lies in [start, end)."""
    wall_start = datetime.combine(day, start, tzinfo=UTC)
    wall_end = datetime.combine(day, end, tzinfo=UTC)
    pieces: list[Interval] = []
    for segment_from, segment_until, offset in segments:
        piece_start = max(segment_from, wall_start - offset)
        piece_end = min(segment_until, wall_end - offset)
        if piece_start >= piece_end:
            continue
        if pieces and pieces[-1][1] == piece_start:
            pieces[-1] = (pieces[-1][0], piece_end)
        else:
            pieces.append((piece_start, piece_end))
    return pieces


def _merge(intervals: list[Interval]) -> list[Interval]:
    """Sorted, disjoint union of the intervals (touching ones joined)."""
    merged: list[Interval] = []
    for interval_start, interval_end in sorted(intervals):
        if merged and interval_start <= merged[-1][1]:
            if interval_end > merged[-1][1]:
                merged[-1] = (merged[-1][0], interval_end)
        else:
            merged.append((interval_start, interval_end))
    return merged


def _require_aware(**values: datetime) -> None:
    for name, value in values.items():
        if timezone.is_naive(value):
            raise ValueError(f"{name} must be timezone-aware")


def availability_windows(
    *, practitioner_id: int, zone: tzinfo, first_day: date, last_day: date
) -> list[Interval]:
    """The practitioner's open windows on local dates first_day..last_day as sorted,
    disjoint UTC intervals (weekly rules, replaced by date overrides where a date has
    any). Two queries whatever the number of rules."""
    rules = AvailabilityRule.objects.filter(practitioner_id=practitioner_id).filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=last_day),
        Q(valid_until__isnull=True) | Q(valid_until__gte=first_day),
    )
    overrides = DateOverride.objects.filter(
        practitioner_id=practitioner_id, date__gte=first_day, date__lte=last_day
    )
    return _windows_from(
        rules=list(rules),
        overrides=list(overrides),
        zone=zone,
        first_day=first_day,
        last_day=last_day,
    )


def _windows_from(
    *,
    rules: Iterable[AvailabilityRule],
    overrides: Iterable[DateOverride],
    zone: tzinfo,
    first_day: date,
    last_day: date,
) -> list[Interval]:
    rules_by_weekday: dict[int, list[AvailabilityRule]] = defaultdict(list)
    for rule in rules:
        rules_by_weekday[rule.weekday].append(rule)
    overrides_by_date: dict[date, list[DateOverride]] = defaultdict(list)
    for override in overrides:
        overrides_by_date[override.date].append(override)

    windows: list[Interval] = []
    day = first_day
    while day <= last_day:
        if day in overrides_by_date:
            # An override replaces the day's rules; a closed row adds no window.
            local_windows = [
                (override.start_time, override.end_time)
                for override in overrides_by_date[day]
                if override.start_time is not None and override.end_time is not None
            ]
        else:
            local_windows = [
                (rule.start_time, rule.end_time)
                for rule in rules_by_weekday.get(day.weekday(), ())
                if (rule.valid_from is None or rule.valid_from <= day)
                and (rule.valid_until is None or day <= rule.valid_until)
            ]
        if local_windows:
            segments = _day_segments(day, zone)
            for window_start, window_end in local_windows:
                windows.extend(_window_instants(day, window_start, window_end, segments))
        day += timedelta(days=1)
    return _merge(windows)


def blocked_intervals(*, practitioner_id: int, since: datetime, until: datetime) -> list[Interval]:
    """Time off and imported busy times overlapping [since, until) (two queries)."""
    overlapping = Q(starts_at__lt=until, ends_at__gt=since)
    time_off = TimeOff.objects.filter(overlapping, practitioner_id=practitioner_id)
    busy = BusyTime.objects.filter(
        overlapping, calendar__practitioner_id=practitioner_id, calendar__is_active=True
    )
    return [
        *time_off.values_list("starts_at", "ends_at"),
        *busy.values_list("starts_at", "ends_at"),
    ]


@dataclass(frozen=True, slots=True)
class Diary:
    """One practitioner's rules, overrides and blocking intervals, loaded in advance for
    local dates first_day..last_day and instants [since, until), so that many slot
    computations (several services, many practitioners) share a fixed number of queries."""

    first_day: date
    last_day: date
    since: datetime
    until: datetime
    rules: tuple[AvailabilityRule, ...] = ()
    overrides: tuple[DateOverride, ...] = ()
    blocks: tuple[Interval, ...] = ()
    # Live bookings (confirmed, and holds running at the time the diary was read).
    # None means they were not loaded: bookable_slots refuses such a diary.
    booked: tuple[Interval, ...] | None = None

    def covers(self, *, first_day: date, last_day: date, since: datetime, until: datetime) -> bool:
        return (
            self.first_day <= first_day
            and last_day <= self.last_day
            and self.since <= since
            and until <= self.until
        )


def diaries_for(
    *,
    practitioner_ids: Iterable[int],
    first_day: date,
    last_day: date,
    since: datetime,
    until: datetime,
) -> dict[int, Diary]:
    """Diaries of several practitioners in four queries, whatever their number. Pass one
    to slots_for_service(diary=...) for each of that practitioner's services."""
    _require_aware(since=since, until=until)
    ids = set(practitioner_ids)
    rules: dict[int, list[AvailabilityRule]] = defaultdict(list)
    overrides: dict[int, list[DateOverride]] = defaultdict(list)
    blocks: dict[int, list[Interval]] = defaultdict(list)
    if ids:
        for rule in AvailabilityRule.objects.filter(practitioner_id__in=ids).filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=last_day),
            Q(valid_until__isnull=True) | Q(valid_until__gte=first_day),
        ):
            rules[rule.practitioner_id].append(rule)
        for override in DateOverride.objects.filter(
            practitioner_id__in=ids, date__gte=first_day, date__lte=last_day
        ):
            overrides[override.practitioner_id].append(override)
        overlapping = Q(starts_at__lt=until, ends_at__gt=since)
        for practitioner_id, starts_at, ends_at in TimeOff.objects.filter(
            overlapping, practitioner_id__in=ids
        ).values_list("practitioner_id", "starts_at", "ends_at"):
            blocks[practitioner_id].append((starts_at, ends_at))
        for practitioner_id, starts_at, ends_at in BusyTime.objects.filter(
            overlapping, calendar__practitioner_id__in=ids, calendar__is_active=True
        ).values_list("calendar__practitioner_id", "starts_at", "ends_at"):
            blocks[practitioner_id].append((starts_at, ends_at))
    return {
        practitioner_id: Diary(
            first_day=first_day,
            last_day=last_day,
            since=since,
            until=until,
            rules=tuple(rules[practitioner_id]),
            overrides=tuple(overrides[practitioner_id]),
            blocks=tuple(blocks[practitioner_id]),
        )
        for practitioner_id in ids
    }


def live_bookings_by_practitioner(
    *, practitioner_ids: Iterable[int], since: datetime, until: datetime, now: datetime
) -> defaultdict[int, list[Interval]]:
    """The blocked ranges (session plus buffers) of confirmed bookings and of holds still
    running at `now`, per practitioner, overlapping [since, until): one query."""
    booked: defaultdict[int, list[Interval]] = defaultdict(list)
    rows = (
        Booking.objects.filter(
            practitioner_id__in=list(practitioner_ids),
            blocked_start__lt=until,
            blocked_end__gt=since,
        )
        .filter(
            Q(status=Booking.Status.CONFIRMED)
            | Q(status=Booking.Status.HELD, hold_expires_at__gt=now)
        )
        .values_list("practitioner_id", "blocked_start", "blocked_end")
    )
    for practitioner_id, blocked_start, blocked_end in rows:
        booked[practitioner_id].append((blocked_start, blocked_end))
    return booked


def bookable_diaries(
    *,
    practitioner_ids: Iterable[int],
    first_day: date,
    last_day: date,
    since: datetime,
    until: datetime,
    now: datetime,
) -> dict[int, Diary]:
    """diaries_for plus each practitioner's live bookings at `now` (five queries
    whatever the number of practitioners): the diaries bookable_slots accepts."""
    ids = set(practitioner_ids)
    diaries = diaries_for(
        practitioner_ids=ids, first_day=first_day, last_day=last_day, since=since, until=until
    )
    booked = live_bookings_by_practitioner(practitioner_ids=ids, since=since, until=until, now=now)
    return {
        practitioner_id: replace(diary, booked=tuple(booked[practitioner_id]))
        for practitioner_id, diary in diaries.items()
    }


def bookable_slots(
    *,
    service: Service,
    start: datetime,
    end: datetime,
    now: datetime | None = None,
    exclude_booking: Booking | None = None,
    diary: Diary | None = None,
) -> list[Slot]:
    """The times a client can book `service` starting in [start, end), sorted, in UTC:
    the service's slots (rules, overrides, time off, imported calendar busy times,
    notice, advance, buffers) kept clear of the practitioner's confirmed bookings and
    holds still running at `now`. The one read behind every list of times we offer (the
    API, the booking page, the directory's next times and available-on filter, the
    reschedule lists), so a taken time is offered nowhere.

    `exclude_booking` leaves one booking out of what blocks (a booking being moved does
    not block itself; its current time is also left out of the result). `diary` (from
    bookable_diaries) serves many services or practitioners from one read; a diary
    without its bookings loaded is refused (ValueError)."""
    now = timezone.now() if now is None else now
    _require_aware(start=start, end=end, now=now)
    if diary is not None:
        if diary.booked is None:
            raise ValueError("Load the diary with bookable_diaries (it has no bookings).")
        if exclude_booking is not None:
            raise ValueError("exclude_booking needs a fresh read, not a diary.")
        busy: Iterable[Interval] = diary.booked
    else:
        if not service.is_active:
            return []
        rows = Booking.objects.filter(
            practitioner_id=service.practitioner_id,
            blocked_start__lt=end + _BOOKING_REACH,
            blocked_end__gt=start - _BOOKING_REACH,
        ).filter(
            Q(status=Booking.Status.CONFIRMED)
            | Q(status=Booking.Status.HELD, hold_expires_at__gt=now)
        )
        if exclude_booking is not None:
            rows = rows.exclude(pk=exclude_booking.pk)
        busy = list(rows.values_list("blocked_start", "blocked_end"))
    slots = slots_for_service(
        service=service, start=start, end=end, now=now, busy=busy, diary=diary
    )
    if exclude_booking is not None:
        slots = [slot for slot in slots if slot.starts_at != exclude_booking.starts_at]
    return slots


def slots_for_service(
    *,
    service: Service,
    start: datetime,
    end: datetime,
    now: datetime | None = None,
    busy: Iterable[Interval] = (),
    diary: Diary | None = None,
) -> list[Slot]:
    """The slot engine: slots of `service` starting in [start, end), sorted, in UTC,
    WITHOUT the practitioner's bookings unless the caller passes them. Offer times with
    bookable_slots instead; this is for booking_hold (which reads the bookings under its
    lock) and for the maths tests.

    `busy` takes more intervals that block (bookings' blocked ranges, which already
    include their own buffers). Each slot keeps
    [start - buffer_before, end + buffer_after] clear of everything that blocks. Four
    queries (plus one for the practitioner if it is not loaded), whatever the size of
    the diary; none when a `diary` from diaries_for is given (ValueError if it does not
    cover the range this computation needs)."""
    now = timezone.now() if now is None else now
    _require_aware(start=start, end=end, now=now)
    if not service.is_active:
        return []
    duration = timedelta(minutes=service.duration_minutes)
    buffer_before = timedelta(minutes=service.buffer_before_minutes)
    buffer_after = timedelta(minutes=service.buffer_after_minutes)
    earliest = max(start, now + timedelta(minutes=service.minimum_notice_minutes))
    latest = min(end, now + timedelta(days=service.maximum_advance_days) + timedelta.resolution)
    # Slots start in [earliest, latest).
    if earliest >= latest:
        return []

    practitioner = service.practitioner
    zone = ZoneInfo(practitioner.time_zone)
    first_day = earliest.astimezone(zone).date() - timedelta(days=1)
    last_day = (latest + duration).astimezone(zone).date() + timedelta(days=1)
    # A slot [s, e) is blocked by [b0, b1) when b0 < e + buffer_after and b1 > s - buffer_before,
    # i.e. when the slot meets [b0 - buffer_after, b1 + buffer_before).
    reach_from, reach_until = earliest - buffer_before, latest + duration + buffer_after
    if diary is None:
        windows = availability_windows(
            practitioner_id=practitioner.pk, zone=zone, first_day=first_day, last_day=last_day
        )
    else:
        if not diary.covers(
            first_day=first_day, last_day=last_day, since=reach_from, until=reach_until
        ):
            raise ValueError("The diary does not cover the range these slots need.")
        windows = _windows_from(
            rules=diary.rules,
            overrides=diary.overrides,
            zone=zone,
            first_day=first_day,
            last_day=last_day,
        )
    if not windows:
        return []

    if diary is None:
        raw_blocks = blocked_intervals(
            practitioner_id=practitioner.pk, since=reach_from, until=reach_until
        )
    else:
        raw_blocks = [
            (block_start, block_end)
            for block_start, block_end in diary.blocks
            if block_start < reach_until and block_end > reach_from
        ]
    raw_blocks.extend(
        (block_start, block_end)
        for block_start, block_end in busy
        if block_start < reach_until and block_end > reach_from
    )
    blocks = _merge(
        [
            (block_start - buffer_after, block_end + buffer_before)
            for block_start, block_end in raw_blocks
            if block_start < block_end
        ]
    )

    slots: list[Slot] = []
    block_index = 0
    for window_start, window_end in windows:
        if window_end <= earliest:
            continue
        if window_start >= latest:
            break
        slot_start = window_start
        if slot_start < earliest:
            # Jump to the first grid point at or after `earliest` without walking there.
            steps = -(-(earliest - window_start) // duration)
            slot_start = window_start + steps * duration
        while slot_start < latest and slot_start + duration <= window_end:
            slot_end = slot_start + duration
            while block_index < len(blocks) and blocks[block_index][1] <= slot_start:
                block_index += 1
            if block_index < len(blocks) and blocks[block_index][0] < slot_end:
                # Blocked: jump to the first grid point at or after the block's end.
                blocked_until = blocks[block_index][1]
                steps = -(-(blocked_until - window_start) // duration)
                slot_start = window_start + steps * duration
                continue
            slots.append(Slot(slot_start, slot_end))
            slot_start = slot_end
    return slots


def reschedule_slots(
    *, booking: Booking, start: datetime, end: datetime, now: datetime | None = None
) -> list[Slot]:
    """Times in [start, end) `booking` could move to: bookable_slots of its service with
    the booking itself left out of what blocks and its current time left out of the
    result. Needs booking.service with its practitioner."""
    return bookable_slots(
        service=booking.service, start=start, end=end, now=now, exclude_booking=booking
    )
