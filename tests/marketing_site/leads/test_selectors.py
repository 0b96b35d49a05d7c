"""The funnel numbers: leads → confirmed → sign-ups → first purchase, by source and
campaign, in a fixed number of queries."""

from datetime import timedelta

import pytest
from django.utils import timezone

from commerce.memberships.models import Membership, MembershipPlan
from commerce.payments.models import Payment
from marketing_site.leads.chart import funnel_chart, sources_chart
from marketing_site.leads.selectors import lead_funnel
from tests.accounts.factories import UserFactory
from tests.commerce.payments.factories import CreditPackPaymentFactory
from tests.marketing_site.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


def _signed_up(**kwargs):
    user = UserFactory()
    return LeadFactory(user=user, signed_up_at=timezone.now(), **kwargs), user


def test_the_funnel_counts_each_stage_by_source_and_campaign():
    now = timezone.now()
    LeadFactory(source="instagram", campaign="spring")
    LeadFactory(source="instagram", campaign="spring", confirmed_at=now)
    _lead, payer = _signed_up(source="instagram", campaign="spring", confirmed_at=now)
    CreditPackPaymentFactory(user=payer, paid_at=now, status=Payment.Status.PAID)
    _lead, pending = _signed_up(source="instagram", campaign="spring")
    CreditPackPaymentFactory(user=pending)  # never paid: not a purchase
    _lead, member = _signed_up(source="google.com", campaign="")
    plan = MembershipPlan.objects.create(slug="member-test", name="Member", price=1500)
    Membership.objects.create(user=member, plan=plan)
    _lead, free_member = _signed_up(source="google.com", campaign="")
    free = MembershipPlan.objects.create(slug="free-test", name="Free", price=0)
    Membership.objects.create(user=free_member, plan=free)
    LeadFactory(source="direct")

    funnel = lead_funnel()

    rows = {(row.source, row.campaign): row for row in funnel.rows}
    spring = rows[("instagram", "spring")]
    assert (spring.leads, spring.confirmed, spring.signed_up, spring.purchased) == (4, 2, 2, 1)
    assert spring.conversion_percent == 25.0
    google = rows[("google.com", "")]
    assert (google.leads, google.signed_up, google.purchased) == (2, 2, 1)
    assert rows[("direct", "")].leads == 1
    total = funnel.total
    assert (total.leads, total.confirmed, total.signed_up, total.purchased) == (7, 2, 4, 2)
    assert funnel.rows[0].source == "instagram"  # biggest first


def test_the_period_counts_leads_captured_since_then():
    old = LeadFactory()
    LeadFactory()
    old.created_at = timezone.now() - timedelta(days=120)
    old.save()

    assert lead_funnel(since=timezone.now() - timedelta(days=90)).total.leads == 1
    assert lead_funnel().total.leads == 2


def test_an_empty_funnel():
    funnel = lead_funnel()

    assert funnel.rows == [] and funnel.total.leads == 0
    assert funnel.total.conversion_percent == 0.0
    assert [bar.width for bar in funnel_chart(funnel).bars] == [0, 0, 0, 0]
    assert sources_chart(funnel).bars == []


def test_chart_bars_scale_to_the_largest_stage():
    for _ in range(4):
        LeadFactory(source="instagram", confirmed_at=timezone.now())
    _signed_up(source="instagram")
    LeadFactory(source="google.com")

    chart = funnel_chart(lead_funnel())

    leads, confirmed, signed_up, purchased = chart.bars
    assert (leads.value, confirmed.value, signed_up.value, purchased.value) == (6, 4, 1, 0)
    assert leads.width > confirmed.width > signed_up.width > purchased.width == 0
    assert confirmed.percent_of_first == 66.7
    assert [bar.label for bar in sources_chart(lead_funnel()).bars] == ["instagram", "google.com"]


@pytest.mark.parametrize("count", [10, 200])
def test_the_report_page_queries_do_not_grow_with_leads(
    count, editor_client, django_assert_max_num_queries
):
    sources = ["instagram", "google.com", "newsletter", "direct"]
    for number in range(count):
        lead, user = _signed_up(source=sources[number % 4], campaign=f"c{number % 3}")
        if number % 5 == 0:
            CreditPackPaymentFactory(user=user, paid_at=timezone.now(), status="paid")

    with django_assert_max_num_queries(25):
        response = editor_client.get("/cms/leads/funnel/?period=all")

    assert response.status_code == 200
