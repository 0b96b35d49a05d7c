"""Real threads racing for the last units of a pool and the last redemptions of a voucher:
the database serializes them (a row lock on PostgreSQL, BEGIN IMMEDIATE on SQLite), so
exactly the funded number succeed and the totals never pass their limits."""

from collections import Counter

import pytest

from commerce.partners.models import PoolDraw, PoolEnrollment, SponsorPool, VoucherCode
from commerce.partners.services import pool_draw, pool_enroll_with_voucher
from tests.accounts.factories import UserFactory
from tests.commerce.partners.factories import (
    PoolEnrollmentFactory,
    SponsorPoolFactory,
    VoucherCodeFactory,
    draw,
    enrolled_client,
)
from tests.concurrency import race

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 20


@pytest.mark.parametrize("clients", ["one client", "twenty clients"])
def test_twenty_draws_race_for_five_units(clients):
    pool = SponsorPoolFactory(units_funded=10, per_client_cap=1000)
    draw(pool, enrolled_client(pool), units=5)  # 5 units left
    if clients == "one client":
        user = enrolled_client(pool)
        users = [user] * THREADS
    else:
        users = [enrolled_client(pool) for _ in range(THREADS)]

    def job(index):
        return lambda: pool_draw(
            pool=pool, user=users[index], units=1, source_type="booking", source_id=f"race-{index}"
        )

    outcomes = race([job(index) for index in range(THREADS)])

    assert outcomes == Counter({"ok": 5, "pool_exhausted": THREADS - 5}), outcomes
    pool.refresh_from_db()
    assert pool.units_used == pool.units_funded == 10
    assert PoolDraw.objects.filter(pool=pool, source_id__startswith="race-").count() == 5


def test_the_same_booking_retried_concurrently_draws_once():
    pool = SponsorPoolFactory(units_funded=10, per_client_cap=10)
    user = enrolled_client(pool)

    outcomes = race(
        [
            lambda: pool_draw(
                pool=pool, user=user, units=2, source_type="booking", source_id="retried"
            )
            for _ in range(8)
        ]
    )

    assert outcomes == Counter({"ok": 8}), outcomes
    pool.refresh_from_db()
    assert pool.units_used == 2
    assert PoolDraw.objects.filter(source_id="retried").count() == 1


def test_one_client_racing_against_their_cap():
    pool = SponsorPoolFactory(units_funded=100, per_client_cap=3)
    user = enrolled_client(pool)

    outcomes = race(
        [
            (
                lambda index=index: pool_draw(
                    pool=pool, user=user, units=1, source_type="booking", source_id=f"cap-{index}"
                )
            )
            for index in range(10)
        ]
    )

    assert outcomes == Counter({"ok": 3, "cap_reached": 7}), outcomes
    pool.refresh_from_db()
    assert pool.units_used == 3


def test_ten_people_race_for_three_redemptions():
    voucher = VoucherCodeFactory(max_redemptions=3, pool__units_funded=100)
    users = [UserFactory() for _ in range(10)]

    outcomes = race(
        [
            (lambda user=user: pool_enroll_with_voucher(user=user, code=voucher.code.lower()))
            for user in users
        ]
    )

    assert outcomes == Counter({"ok": 3, "voucher_exhausted": 7}), outcomes
    voucher.refresh_from_db()
    assert voucher.redemptions == 3
    assert PoolEnrollment.objects.filter(pool=voucher.pool).count() == 3


def test_pools_are_independent():
    """Draws on different pools do not wait for each other's limits."""
    first = SponsorPoolFactory(units_funded=2, per_client_cap=5)
    second = SponsorPoolFactory(units_funded=2, per_client_cap=5)
    user = UserFactory()
    PoolEnrollmentFactory(pool=first, user=user)
    PoolEnrollmentFactory(pool=second, user=user)

    outcomes = race(
        [
            (
                lambda index=index: pool_draw(
                    pool=(first, second)[index % 2],
                    user=user,
                    units=1,
                    source_type="booking",
                    source_id=f"two-pools-{index}",
                )
            )
            for index in range(8)
        ]
    )

    assert outcomes == Counter({"ok": 4, "pool_exhausted": 4}), outcomes
    assert list(
        SponsorPool.objects.filter(pk__in=[first.pk, second.pk]).values_list(
            "units_used", flat=True
        )
    ) == [2, 2]
    assert VoucherCode.objects.count() == 0
