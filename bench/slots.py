"""Slot computation for 60 days as a practitioner's busy intervals grow 100 -> 1,000 ->
10,000, measured side by side in one run. Time per interval staying flat means the cost
grows linearly (sort + sweep), not pairwise."""

import datetime as dt
import random
import time

from django.db import connection

from accounts.models import User
from commerce.bookings.models import AvailabilityRule
from commerce.bookings.selectors import slots_for_service
from marketplace.practitioners.models import Modality, PractitionerProfile, Service

SIZES = (100, 1_000, 10_000)
DAYS = 60
ROUNDS = 5


def _service() -> Service:
    user = User.objects.create_user(email="bench-slots@example.org", password=None)
    practitioner = PractitionerProfile.objects.create(
        user=user, slug="bench-slots", display_name="Bench", time_zone="America/New_York"
    )
    AvailabilityRule.objects.bulk_create(
        AvailabilityRule(
            practitioner=practitioner, weekday=weekday, start_time=dt.time(7), end_time=dt.time(21)
        )
        for weekday in range(7)
    )
    modality = Modality.objects.create(name="Bench", slug="bench")
    return Service.objects.select_related("practitioner").get(
        pk=Service.objects.create(
            practitioner=practitioner,
            modality=modality,
            name="Bench session",
            duration_minutes=15,
            price=1000,
            buffer_before_minutes=5,
            buffer_after_minutes=5,
            minimum_notice_minutes=0,
            maximum_advance_days=365,
        ).pk
    )


def _busy(count: int, start: dt.datetime, rng: random.Random) -> list[tuple]:
    span = DAYS * 24 * 60
    intervals = []
    for _ in range(count):
        offset = rng.randrange(span)
        begins = start + dt.timedelta(minutes=offset)
        intervals.append((begins, begins + dt.timedelta(minutes=rng.choice((15, 30, 60)))))
    return intervals


def run() -> str:
    service = _service()
    start = dt.datetime(2030, 3, 1, tzinfo=dt.UTC)
    end = start + dt.timedelta(days=DAYS)
    now = start - dt.timedelta(days=1)
    rng = random.Random(6)
    figures = []
    for size in (0, *SIZES):
        busy = _busy(size, start, rng)
        best = float("inf")
        for _ in range(ROUNDS):
            started = time.perf_counter()
            slots_for_service(service=service, start=start, end=end, now=now, busy=busy)
            best = min(best, time.perf_counter() - started)
        figures.append((size, best))
    # Marginal cost per interval over the empty diary: flat means linear growth.
    empty = figures[0][1]
    marginal = [(size, seconds, (seconds - empty) / size) for size, seconds in figures[1:]]
    first = marginal[0][2] or 1e-12
    parts = [
        f"{size:,}: {seconds * 1000:.1f} ms (+{per * 1e6:.2f} µs/interval, x{per / first:.2f})"
        for size, seconds, per in marginal
    ]
    return (
        f"slots for {DAYS} days by busy intervals ({connection.vendor}): "
        f"empty {empty * 1000:.1f} ms; " + "; ".join(parts)
    )
