"""A visitor joins a membership through the offline Stripe's hosted checkout and lands as
a member, in Chromium."""

import pytest

from commerce.memberships.defaults import ensure_default_plans
from commerce.memberships.models import Membership, MembershipPlan
from tests.accounts.factories import UserFactory
from tests.browser.support import assert_accessible, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def plans():
    # A flush after an earlier committing test removes what the data migration made.
    ensure_default_plans(MembershipPlan)


def test_a_visitor_buys_a_membership_and_lands_as_a_member(
    live_server, home_page, plans, page, csp_violations, axe_page
):
    user = UserFactory(email="clara@example.org")
    sign_in(page, live_server.url, user.email)

    page.goto(f"{live_server.url}/membership/")
    page.get_by_role("button", name="Join Member").click()

    page.wait_for_url("**/stripe-local/checkout/**")
    assert "£19.00" in page.get_by_role("main").inner_text()
    page.get_by_role("button", name="Pay £19.00").click()

    page.wait_for_url("**/membership/welcome/**")
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome to Member"

    membership = Membership.objects.get(user=user)
    assert membership.status == Membership.Status.ACTIVE
    page.goto(f"{live_server.url}/account/membership/")
    assert "Active" in page.get_by_role("main").inner_text()
    assert csp_violations == []

    for path in ("/membership/",):
        axe_page.goto(f"{live_server.url}{path}")
        assert_accessible(axe_page)


def test_the_card_is_declined_and_the_visitor_can_try_again(live_server, home_page, plans, page):
    user = UserFactory()
    sign_in(page, live_server.url, user.email)
    page.goto(f"{live_server.url}/membership/")
    page.get_by_role("button", name="Join Premium").click()
    page.wait_for_url("**/stripe-local/checkout/**")
    page.get_by_role("button", name="Decline card").click()
    assert "declined" in page.get_by_role("main").inner_text().lower()
    assert not Membership.objects.filter(user=user).exists()

    page.get_by_role("button", name="Pay £39.00").click()
    page.wait_for_url("**/membership/welcome/**")
    assert Membership.objects.get(user=user).plan.slug == "premium"
