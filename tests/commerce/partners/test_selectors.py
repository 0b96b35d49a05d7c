"""What clients may draw on, who sees which report, and the report's numbers."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.utils import timezone

from commerce.partners.charts import monthly_bar_chart
from commerce.partners.models import PoolEnrollment, SponsorPool
from commerce.partners.selectors import (
    partner_for_report,
    partner_usage_report,
    partners_visible_to,
    pool_eligible_for,
    pool_invites_pending_for,
    pools_for_client,
)
from commerce.partners.services import pool_draw_reverse, pool_enroll_by_invite
from tests.accounts.factories import UserFactory
from tests.commerce.partners.factories import (
    PartnerFactory,
    PoolEnrollmentFactory,
    PoolInviteFactory,
    SponsorPoolFactory,
    draw,
    enrolled_client,
    partner_admin,
)

pytestmark = pytest.mark.django_db


class TestClientPools:
    def test_eligible_pools_show_what_is_left_for_the_client(self):
        pool = SponsorPoolFactory(units_funded=10, per_client_cap=3)
        user = enrolled_client(pool)
        draw(pool, user, units=2)
        (eligible,) = pool_eligible_for(user=user, unit="session")
        assert (eligible.pk, eligible.client_used, eligible.client_remaining) == (pool.pk, 2, 1)

    def test_pool_remaining_bounds_the_client_remaining(self):
        pool = SponsorPoolFactory(units_funded=4, per_client_cap=3)
        user = enrolled_client(pool)
        draw(pool, enrolled_client(pool), units=3)
        (eligible,) = pool_eligible_for(user=user)
        assert eligible.client_remaining == 1

    def test_reversed_draws_do_not_count(self):
        pool = SponsorPoolFactory(per_client_cap=2)
        user = enrolled_client(pool)
        pool_draw_reverse(draw=draw(pool, user, units=2), source_type="cancel", source_id="1")
        (eligible,) = pool_eligible_for(user=user)
        assert (eligible.client_used, eligible.client_remaining) == (0, 2)

    def test_filters(self):
        user = UserFactory()
        sessions = SponsorPoolFactory(unit=SponsorPool.Unit.SESSION)
        credit_pool = SponsorPoolFactory(unit=SponsorPool.Unit.CREDIT)
        capped = SponsorPoolFactory(per_client_cap=1)
        paused = SponsorPoolFactory(is_active=False)
        future = SponsorPoolFactory(starts_at=timezone.now() + timedelta(days=1))
        SponsorPoolFactory()  # not enrolled
        for pool in (sessions, credit_pool, capped, paused, future):
            PoolEnrollmentFactory(pool=pool, user=user)
        draw(capped, user)
        assert {p.pk for p in pool_eligible_for(user=user, unit="session")} == {sessions.pk}
        assert {p.pk for p in pool_eligible_for(user=user, unit="credit")} == {credit_pool.pk}
        assert {p.pk for p in pool_eligible_for(user=user)} == {sessions.pk, credit_pool.pk}
        # The join page lists every enrolment, usable or not.
        assert len(pools_for_client(user=user)) == 5

    def test_one_query(self, django_assert_num_queries):
        user = UserFactory()
        for _ in range(5):
            pool = SponsorPoolFactory()
            PoolEnrollmentFactory(pool=pool, user=user)
            draw(pool, user)
        with django_assert_num_queries(1):
            pools = pools_for_client(user=user)
            assert [pool.client_used for pool in pools] == [1] * 5
            assert all(pool.partner.name for pool in pools)

    def test_pending_invites(self):
        user = UserFactory(email="ada@example.org")
        open_invite = PoolInviteFactory(email="ADA@example.org")
        PoolInviteFactory(email="ada@example.org", pool__is_active=False)
        PoolInviteFactory(email="someone@example.org")
        assert [i.pk for i in pool_invites_pending_for(user=user)] == [open_invite.pk]
        pool_enroll_by_invite(user=user)
        assert pool_invites_pending_for(user=user) == []

    def test_pending_invites_need_a_verified_address(self):
        user = UserFactory(email="ada@example.org")
        EmailAddress.objects.filter(user=user).update(verified=False)
        PoolInviteFactory(email="ada@example.org")
        assert pool_invites_pending_for(user=user) == []


class TestReportVisibility:
    def test_admins_see_their_partners_staff_see_all(self):
        mine, other = PartnerFactory(), PartnerFactory()
        admin = partner_admin(mine)
        staff = UserFactory(is_staff=True)
        assert list(partners_visible_to(user=admin)) == [mine]
        assert set(partners_visible_to(user=staff)) == {mine, other}
        assert partner_for_report(user=admin, slug=other.slug) is None
        assert partner_for_report(user=admin, slug=mine.slug) == mine
        assert partner_for_report(user=UserFactory(), slug=mine.slug) is None

    def test_inactive_users_see_nothing(self):
        partner = PartnerFactory()
        admin = partner_admin(partner)
        admin.is_active = False
        assert partner_for_report(user=admin, slug=partner.slug) is None


def _at(year, month, day=15):
    return datetime(year, month, day, 12, tzinfo=UTC)


class TestUsageReport:
    def _setup(self):
        partner = PartnerFactory()
        pool = SponsorPoolFactory(partner=partner, units_funded=20, per_client_cap=10, name="A")
        quiet = SponsorPoolFactory(partner=partner, name="B")
        PoolInviteFactory(pool=pool, email="ada@example.org")
        PoolInviteFactory(pool=pool)
        ada = UserFactory(email="ada@example.org")
        bo = UserFactory(email="bo@example.org")
        PoolEnrollmentFactory(pool=pool, user=ada, via=PoolEnrollment.Via.INVITE)
        PoolEnrollmentFactory(pool=pool, user=bo)
        PoolEnrollmentFactory(pool=quiet, user=bo)
        with time_machine.travel(_at(2026, 1), tick=False):
            draw(pool, ada, units=2)
            draw(pool, bo, units=1)
        with time_machine.travel(_at(2026, 3), tick=False):
            draw(pool, ada, units=1)
            cancelled = draw(pool, bo, units=4)
            pool_draw_reverse(draw=cancelled, source_type="cancel", source_id="x")
        other_partner_pool = SponsorPoolFactory()
        draw(other_partner_pool, enrolled_client(other_partner_pool))
        return partner, pool, quiet

    def test_totals_months_and_clients(self):
        partner, pool, quiet = self._setup()
        report = partner_usage_report(partner=partner)
        assert [usage.pool.pk for usage in report.pools] == [pool.pk, quiet.pk]
        usage = report.pools[0]
        assert (usage.funded, usage.used, usage.remaining) == (20, 4, 16)
        assert (usage.invited, usage.enrolled) == (2, 2)
        assert (usage.units_in_period, usage.draws_in_period, usage.clients_in_period) == (4, 3, 2)
        assert [(m.month, m.units, m.draws) for m in usage.months] == [
            (date(2026, 1, 1), 3, 2),
            (date(2026, 3, 1), 1, 1),
        ]
        assert [(c.email, c.via, c.units, c.draws) for c in usage.clients] == [
            ("ada@example.org", "invite", 3, 2),
            ("bo@example.org", "voucher", 1, 1),
        ]
        quiet_usage = report.pools[1]
        assert (quiet_usage.used, quiet_usage.months, quiet_usage.clients_in_period) == (0, [], 0)
        assert [(c.email, c.units) for c in quiet_usage.clients] == [("bo@example.org", 0)]
        assert report.units_in_period == 4

    def test_period(self):
        partner, pool, _ = self._setup()
        report = partner_usage_report(partner=partner, start=_at(2026, 2, 1), end=_at(2026, 4, 1))
        usage = report.pools[0]
        assert [(m.month, m.units) for m in usage.months] == [(date(2026, 3, 1), 1)]
        assert [(c.email, c.units) for c in usage.clients] == [
            ("ada@example.org", 1),
            ("bo@example.org", 0),
        ]
        assert usage.used == 4  # the pool's total stays the total now
        assert usage.clients_in_period == 1

    def test_draws_of_someone_no_longer_enrolled_count_without_an_address(self):
        partner = PartnerFactory()
        pool = SponsorPoolFactory(partner=partner)
        user = enrolled_client(pool, email="gone@example.org")
        draw(pool, user, units=2)
        PoolEnrollment.objects.filter(user=user).delete()
        (usage,) = partner_usage_report(partner=partner).pools
        assert [(c.email, c.units) for c in usage.clients] == [("", 2)]
        assert usage.clients_in_period == 1

    def test_query_count_does_not_grow(self, django_assert_max_num_queries):
        def build(*, pools: int, draws: int):
            partner = PartnerFactory()
            made = []
            for _ in range(pools):
                pool = SponsorPoolFactory(partner=partner, units_funded=1000, per_client_cap=1000)
                PoolInviteFactory(pool=pool)
                made.append((pool, [enrolled_client(pool) for _ in range(3)]))
            for index in range(draws):
                pool, clients = made[index % pools]
                draw(pool, clients[index % 3])
            return partner

        def count(partner) -> int:
            with django_assert_max_num_queries(4) as queries:
                report = partner_usage_report(partner=partner)
                for usage in report.pools:
                    assert usage.pool.partner_id == partner.pk
                    assert all(client.email for client in usage.clients)
            return len(queries)

        small, large = build(pools=1, draws=10), build(pools=5, draws=200)
        assert count(small) == count(large)
        assert sum(u.units_in_period for u in partner_usage_report(partner=large).pools) == 200


class TestChart:
    def test_empty(self):
        assert monthly_bar_chart({}) is None

    def test_fills_missing_months_and_scales(self):
        chart = monthly_bar_chart({date(2026, 1, 1): 4, date(2026, 3, 1): 2})
        assert [bar.month for bar in chart.bars] == [
            date(2026, 1, 1),
            date(2026, 2, 1),
            date(2026, 3, 1),
        ]
        assert [bar.value for bar in chart.bars] == [4, 0, 2]
        tallest, empty, half = chart.bars
        assert empty.height == 0
        assert half.height == pytest.approx(tallest.height / 2)
        assert tallest.y + tallest.height == chart.baseline_y

    def test_period_with_no_data_draws_empty_months(self):
        chart = monthly_bar_chart({}, start=_at(2025, 11, 1), end=datetime(2026, 2, 1, tzinfo=UTC))
        assert [bar.month for bar in chart.bars] == [
            date(2025, 11, 1),
            date(2025, 12, 1),
            date(2026, 1, 1),
        ]

    def test_a_huge_period_is_cut_to_the_last_months(self):
        chart = monthly_bar_chart(
            {}, start=datetime(1, 1, 1, tzinfo=UTC), end=datetime(9999, 1, 1, tzinfo=UTC)
        )
        assert len(chart.bars) == 36
        assert chart.bars[-1].month == date(9998, 12, 1)
        assert chart.is_truncated

    def test_long_ranges_keep_the_last_months(self):
        values = {date(2020 + n // 12, n % 12 + 1, 1): n for n in range(48)}
        chart = monthly_bar_chart(values)
        assert len(chart.bars) == 36
        assert chart.is_truncated
        assert chart.bars[-1].month == date(2023, 12, 1)
        assert sum(bar.show_label for bar in chart.bars) <= 12
