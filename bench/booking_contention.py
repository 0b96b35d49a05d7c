"""Booking throughput under contention, through the service layer (booking_hold then
booking_confirm_with_credits, as POST /api/v1/bookings/ does), side by side in one run:

(a) every thread books the SAME slot each round (one wins, the rest get slot_taken);
(b) each thread books its own slots of ONE practitioner (no overlap, but one diary);
(c) each thread books slots of its OWN practitioner.

Reports decisions/s (bookings plus refusals) and bookings/s, and the ratios (a)/(c) and
(b)/(c), twice: holds only (booking_hold: the slot check and the insert the exclusion
constraint guards) and paid with credits (adds the ledger spend, which every booking
shares through the ledger's `spent` system account row, and the confirmation emails,
rendered eagerly here). On SQLite every write takes the one database write lock, so (b)
and (c) queue alike; on PostgreSQL only overlapping ranges of one practitioner meet, so
(b) and (c) should run close to each other."""

import datetime as dt
import threading
import time

from django.db import close_old_connections, connection
from django.utils import timezone

from accounts.models import User
from commerce.bookings.models import AvailabilityRule, Booking
from commerce.bookings.services import booking_confirm_with_credits, booking_hold
from commerce.credits.models import CreditTransaction
from commerce.credits.services import credits_grant
from commerce.errors import Conflict
from marketplace.practitioners.models import Modality, PractitionerProfile, Service

THREADS = 8
ROUNDS = 15
SLOTS_PER_DAY = 20  # 01:00 .. 20:00 UTC


def _practitioner_service(tag: str, modality: Modality) -> Service:
    user = User.objects.create_user(email=f"bench-booking-{tag}@example.org", password=None)
    practitioner = PractitionerProfile.objects.create(
        user=user,
        slug=f"bench-booking-{tag}",
        display_name=f"Bench {tag}",
        time_zone="UTC",
        status=PractitionerProfile.Status.ACTIVE,
    )
    AvailabilityRule.objects.bulk_create(
        AvailabilityRule(
            practitioner=practitioner,
            weekday=weekday,
            start_time=dt.time(0),
            end_time=dt.time(23),
        )
        for weekday in range(7)
    )
    return Service.objects.select_related("practitioner").get(
        pk=Service.objects.create(
            practitioner=practitioner,
            modality=modality,
            name=f"Bench session {tag}",
            duration_minutes=60,
            price=1000,
            accepts_credits=True,
            credit_price=1,
            minimum_notice_minutes=0,
            maximum_advance_days=730,
        ).pk
    )


def _client(tag: str) -> User:
    user = User.objects.create_user(email=f"bench-client-{tag}@example.org", password=None)
    credits_grant(
        user=user,
        amount=ROUNDS * THREADS,
        kind=CreditTransaction.Kind.ADJUSTMENT,
        source_type="bench-booking",
        source_id=tag,
    )
    return user


def _slot(index: int) -> dt.datetime:
    tomorrow = timezone.now().astimezone(dt.UTC).date() + dt.timedelta(days=1)
    day, hour = divmod(index, SLOTS_PER_DAY)
    return dt.datetime.combine(tomorrow + dt.timedelta(days=day), dt.time(1 + hour), tzinfo=dt.UTC)


def _run(plan, *, pay: bool) -> tuple[float, float, int]:
    """`plan(thread, round) -> (client, service, starts_at)`; returns decisions/s,
    bookings/s and how many bookings were made (held, or confirmed when `pay`)."""
    barrier = threading.Barrier(THREADS)
    booked = [0] * THREADS
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        barrier.wait()
        try:
            for round_number in range(ROUNDS):
                client, service, starts_at = plan(index, round_number)
                try:
                    booking = booking_hold(
                        client=client, service=service, starts_at=starts_at, pay_with="credits"
                    )
                    if pay:
                        booking_confirm_with_credits(booking=booking)
                    booked[index] += 1
                except Conflict as error:
                    if error.api_code != "slot_taken":
                        raise
        except BaseException as error:  # noqa: BLE001  (reported below)
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    made = sum(booked)
    return THREADS * ROUNDS / elapsed, made / elapsed, made


def _scenario(modality: Modality, clients: list[User], tag: str, *, pay: bool) -> str:
    shared = _practitioner_service(f"{tag}-shared", modality)
    one = _practitioner_service(f"{tag}-one", modality)
    own = [_practitioner_service(f"{tag}-own{i}", modality) for i in range(THREADS)]
    same_rate, same_booked_rate, same_made = _run(
        lambda thread, n: (clients[thread], shared, _slot(n)), pay=pay
    )
    one_rate, _, one_made = _run(
        lambda thread, n: (clients[thread], one, _slot(n * THREADS + thread)), pay=pay
    )
    own_rate, _, own_made = _run(
        lambda thread, n: (clients[thread], own[thread], _slot(n)), pay=pay
    )
    assert same_made == ROUNDS, same_made  # one winner per contested slot
    assert one_made == own_made == THREADS * ROUNDS, (one_made, own_made)
    practitioners = [shared.practitioner_id, one.practitioner_id] + [
        service.practitioner_id for service in own
    ]
    live = Booking.objects.filter(
        practitioner_id__in=practitioners, status__in=Booking.LIVE_STATUSES
    ).count()
    assert live == same_made + one_made + own_made, live
    return (
        f"  {'paid with credits' if pay else 'holds only'}: "
        f"(a) same slot {same_rate:,.0f} decisions/s ({same_booked_rate:,.1f} bookings/s), "
        f"(b) one practitioner {one_rate:,.0f}/s, (c) own practitioners {own_rate:,.0f}/s "
        f"-> (a)/(c) {same_rate / own_rate:.2f}, (b)/(c) {one_rate / own_rate:.2f}"
    )


def run() -> str:
    modality = Modality.objects.create(name="Bench booking", slug="bench-booking")
    clients = [_client(f"t{i}") for i in range(THREADS)]
    lines = [
        f"bookings, {THREADS} threads x {ROUNDS} rounds ({connection.vendor}):",
        _scenario(modality, clients, "hold", pay=False),
        _scenario(modality, clients, "paid", pay=True),
    ]
    return "\n".join(lines)
