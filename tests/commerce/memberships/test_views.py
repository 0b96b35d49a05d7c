"""Joining, renewing, failing and leaving a membership through the pages a person uses,
with the offline Stripe taking the payments and calling our webhooks back."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from commerce.credits.selectors import credits_available
from commerce.memberships.models import Membership
from commerce.memberships.services import memberships_downgrade_after_grace
from commerce.payments.models import WebhookEvent
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member_client(client):
    user = UserFactory()
    client.force_login(user)
    client.user = user
    return client


def _join(client, capture, plan="member", action="pay"):
    with capture(execute=True):
        response = client.post(f"/membership/join/{plan}/")
    assert response.status_code == 303
    checkout_url = response["Location"]
    assert "/stripe-local/checkout/" in checkout_url
    assert client.get(checkout_url).status_code == 200
    with capture(execute=True):
        paid = client.post(checkout_url, {"action": action})
    return paid


def test_the_plans_page_lists_free_member_and_premium(client):
    response = client.get("/membership/")
    assert response.status_code == 200
    for name in ("Free", "Member", "Premium"):
        assert name.encode() in response.content


def test_joining_through_checkout_makes_a_member_at_once(
    member_client, django_capture_on_commit_callbacks
):
    paid = _join(member_client, django_capture_on_commit_callbacks)
    assert paid.status_code == 302
    welcome = member_client.get(paid["Location"])
    assert welcome.status_code == 200
    assert b"Welcome to Member" in welcome.content

    membership = Membership.objects.get(user=member_client.user)
    assert membership.status == Membership.Status.ACTIVE
    assert membership.plan.slug == "member"
    assert membership.current_period_end > timezone.now() + timedelta(days=25)
    assert credits_available(user=member_client.user) == 2
    assert not WebhookEvent.objects.filter(status=WebhookEvent.Status.FAILED).exists()
    assert sum("Welcome to Aeyia Member" in m.subject for m in mail.outbox) == 1


def test_a_declined_card_makes_no_member(member_client, django_capture_on_commit_callbacks):
    declined = _join(member_client, django_capture_on_commit_callbacks, action="decline")
    assert declined.status_code == 402
    assert not Membership.objects.filter(user=member_client.user).exists()


def test_a_member_cannot_join_twice(member_client, django_capture_on_commit_callbacks):
    _join(member_client, django_capture_on_commit_callbacks)
    response = member_client.post("/membership/join/premium/", follow=True)
    assert b"already a member" in response.content
    assert Membership.objects.get(user=member_client.user).plan.slug == "member"


def test_unknown_plan_is_a_clear_message_not_an_error(member_client):
    response = member_client.post("/membership/join/platinum/", follow=True)
    assert response.status_code == 200
    assert b"no such membership plan" in response.content


def test_cancel_at_period_end_and_resume(member_client, django_capture_on_commit_callbacks):
    _join(member_client, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        member_client.post("/account/membership/cancel/")
    membership = Membership.objects.get(user=member_client.user)
    assert membership.cancel_at_period_end is True
    assert membership.status == Membership.Status.ACTIVE  # until the period ends

    with django_capture_on_commit_callbacks(execute=True):
        member_client.post("/account/membership/resume/")
    membership.refresh_from_db()
    assert membership.cancel_at_period_end is False


def test_renewals_grant_credits_and_a_failed_one_leads_through_grace_to_free(
    member_client, django_capture_on_commit_callbacks
):
    _join(member_client, django_capture_on_commit_callbacks)
    membership = Membership.objects.get(user=member_client.user)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("stripe_local", "renew", membership.stripe_subscription_id)
    assert credits_available(user=member_client.user) == 4

    with django_capture_on_commit_callbacks(execute=True):
        call_command("stripe_local", "renew", membership.stripe_subscription_id, "--fail")
    membership.refresh_from_db()
    assert membership.status == Membership.Status.GRACE
    assert any("did not go through" in m.subject for m in mail.outbox)
    page = member_client.get("/account/membership/")
    assert b"could not take your renewal payment" in page.content

    with django_capture_on_commit_callbacks(execute=True):
        assert memberships_downgrade_after_grace(now=membership.grace_until - timedelta(1)) == 0
        assert memberships_downgrade_after_grace(now=membership.grace_until + timedelta(1)) == 1
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ENDED
    assert any("has ended" in m.subject for m in mail.outbox)
    assert b"Free account" in member_client.get("/account/membership/").content


def test_update_card_goes_to_the_billing_portal(member_client, django_capture_on_commit_callbacks):
    _join(member_client, django_capture_on_commit_callbacks)
    response = member_client.post("/account/membership/card/")
    assert response.status_code == 303
    assert "/stripe-local/billing/" in response["Location"]


def test_pages_need_a_login(client):
    assert client.post("/membership/join/member/").status_code == 302
    assert client.get("/account/membership/").status_code == 302


def test_two_tabs_joining_the_same_plan_share_one_checkout(member_client):
    first = member_client.post("/membership/join/member/")
    second = member_client.post("/membership/join/member/")
    assert first["Location"] == second["Location"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_joins_from_two_browsers_make_one_checkout(live_server):
    """Two browsers of the same person press "Join" at the same moment."""
    import threading
    import urllib.request
    from http.cookiejar import CookieJar

    from django.test import Client

    from commerce.memberships.defaults import ensure_default_plans
    from commerce.memberships.models import MembershipCheckout, MembershipPlan

    # An earlier committing test's flush removes what the data migration made.
    ensure_default_plans(MembershipPlan)
    user = UserFactory()
    client = Client()
    client.force_login(user)
    session_cookie = client.cookies["sessionid"].value
    csrf = "x" * 32
    barrier = threading.Barrier(2)
    locations: list[str] = []

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def join() -> None:
        opener = urllib.request.build_opener(
            NoRedirect, urllib.request.HTTPCookieProcessor(CookieJar())
        )
        request = urllib.request.Request(  # noqa: S310  (our own live server)
            f"{live_server.url}/membership/join/member/",
            data=f"csrfmiddlewaretoken={csrf}".encode(),
            headers={
                "Cookie": f"sessionid={session_cookie}; csrftoken={csrf}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": live_server.url,
            },
            method="POST",
        )
        barrier.wait()
        try:
            opener.open(request, timeout=120)
        except urllib.error.HTTPError as response:
            locations.append(response.headers.get("Location", ""))
        except Exception as error:  # noqa: BLE001  (reported by the assertion below)
            locations.append(f"error: {error!r}")

    threads = [threading.Thread(target=join) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(locations) == 2 and locations[0] == locations[1], locations
    assert MembershipCheckout.objects.filter(user=user).count() == 1
