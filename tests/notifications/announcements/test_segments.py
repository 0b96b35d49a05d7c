"""Each audience selects exactly its people: active accounts only, each once."""

import pytest
from django.core.exceptions import ValidationError

from commerce.memberships.models import Membership, MembershipPlan
from commerce.partners.models import Partner, PoolEnrollment, SponsorPool
from marketplace.practitioners.models import PractitionerProfile
from notifications.segments import segment_recipients, segments_registered
from tests.notifications.announcements.support import person

pytestmark = pytest.mark.django_db


def emails(key, params=None):
    return sorted(segment_recipients(key=key, params=params or {}).values_list("email", flat=True))


def test_the_apps_register_their_audiences():
    assert {s.key for s in segments_registered()} >= {
        "everyone",
        "clients",
        "membership_plan",
        "partner_clients",
        "practitioners",
    }


def test_everyone_means_every_active_account():
    person("a@example.org")
    person("b@example.org", group="Clients")
    person("gone@example.org", active=False)
    assert emails("everyone") == ["a@example.org", "b@example.org"]


def test_all_clients_are_the_clients_group():
    person("client@example.org", group="Clients")
    person("editor@example.org", group="Editors")
    person("old-client@example.org", group="Clients", active=False)
    assert emails("clients") == ["client@example.org"]


def test_members_of_a_plan_are_its_current_members():
    gold = MembershipPlan.objects.create(slug="gold", name="Gold", price=2000)
    silver = MembershipPlan.objects.create(slug="silver", name="Silver", price=1000)
    for email, plan, status in [
        ("active@example.org", gold, Membership.Status.ACTIVE),
        ("grace@example.org", gold, Membership.Status.GRACE),
        ("ended@example.org", gold, Membership.Status.ENDED),
        ("silver@example.org", silver, Membership.Status.ACTIVE),
    ]:
        Membership.objects.create(user=person(email), plan=plan, status=status)
    assert emails("membership_plan", {"plan": gold.pk}) == [
        "active@example.org",
        "grace@example.org",
    ]


def test_clients_of_a_partner_are_enrolled_in_any_of_its_pools_once():
    society = Partner.objects.create(name="Society", slug="society")
    other = Partner.objects.create(name="Other", slug="other")
    pools = [
        SponsorPool.objects.create(partner=society, name=n, units_funded=10, per_client_cap=2)
        for n in ("Spring", "Autumn")
    ]
    elsewhere = SponsorPool.objects.create(
        partner=other, name="X", units_funded=5, per_client_cap=1
    )
    both = person("both@example.org")
    for pool in pools:
        PoolEnrollment.objects.create(pool=pool, user=both, via="voucher")
    PoolEnrollment.objects.create(pool=pools[0], user=person("one@example.org"), via="invite")
    PoolEnrollment.objects.create(pool=elsewhere, user=person("else@example.org"), via="invite")
    assert emails("partner_clients", {"partner": society.pk}) == [
        "both@example.org",
        "one@example.org",
    ]


def test_all_practitioners_means_the_active_ones():
    for email, status in [
        ("live@example.org", "active"),
        ("new@example.org", "draft"),
        ("paused@example.org", "suspended"),
    ]:
        PractitionerProfile.objects.create(
            user=person(email), slug=email.split("@")[0], display_name=email, status=status
        )
    assert emails("practitioners") == ["live@example.org"]


def test_missing_or_unknown_params_are_refused():
    with pytest.raises(ValidationError):
        segment_recipients(key="membership_plan", params={})
    with pytest.raises(ValidationError):
        segment_recipients(key="membership_plan", params={"plan": 999999})
    with pytest.raises(ValidationError):
        segment_recipients(key="nobody-registered-this", params={})
