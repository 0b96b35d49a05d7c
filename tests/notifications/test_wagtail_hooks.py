"""Wagtail admin → Deliveries: staff see delivery records and counts, never message
bodies, and nobody edits them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from notifications.kinds import Channel
from notifications.models import Delivery
from notifications.services import notify
from tests.accounts.factories import UserFactory, enrol_totp
from tests.notifications.core_support import CONTEXT

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    user = UserFactory(roles=[Role.STAFF])
    enrol_totp(user)
    client.force_login(user)
    return client


@pytest.fixture
def deliveries(notification_types):
    alice = UserFactory(email="alice@example.com")
    bob = UserFactory(email="bob@example.com")
    first = notify(recipient=alice, type_key="tests.booked", context=CONTEXT, dedupe_key="a")
    notify(recipient=bob, type_key="tests.booked", context=CONTEXT, dedupe_key="b")
    Delivery.objects.filter(notification=first, channel=Channel.EMAIL).update(
        state=Delivery.State.SENDING, claimed_at=timezone.now() - timedelta(hours=1)
    )
    Delivery.objects.filter(notification__recipient=bob, channel=Channel.EMAIL).update(
        state=Delivery.State.BOUNCED, provider_status="bounced"
    )
    return first


def test_staff_see_counts_and_rows_without_bodies(staff_client, deliveries):
    response = staff_client.get("/cms/deliveries/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "alice@example.com" in html and "bob@example.com" in html
    assert "unknown (worker lost mid-send)" in html
    counts = response.context["state_counts"]
    assert counts == {
        "queued": 2,
        "sent": 2,
        "failed": 0,
        "bounced": 1,
        "skipped": 0,
        "unknown": 1,
    }
    # Neither the in-app text nor the context reaches the staff screen.
    assert "Sam Rivers" not in html


def test_search_by_email_and_filter_by_state(staff_client, deliveries):
    response = staff_client.get("/cms/deliveries/", {"q": "bob@"})
    rows = list(response.context["object_list"])
    assert rows and {row.notification.recipient.email for row in rows} == {"bob@example.com"}
    response = staff_client.get("/cms/deliveries/", {"state": "bounced"})
    assert [row.state for row in response.context["object_list"]] == ["bounced"]
    response = staff_client.get("/cms/deliveries/", {"channel": "push"})
    assert {row.channel for row in response.context["object_list"]} == {"push"}


def test_inspect_shows_no_body(staff_client, deliveries):
    row = deliveries.deliveries.get(channel=Channel.EMAIL)
    response = staff_client.get(f"/cms/deliveries/inspect/{row.pk}/")
    assert response.status_code == 200
    assert "Sam Rivers" not in response.content.decode()


def test_nobody_edits_or_deletes_deliveries(client, deliveries):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    enrol_totp(superuser)
    client.force_login(superuser)
    row = deliveries.deliveries.get(channel=Channel.EMAIL)
    assert client.get(f"/cms/deliveries/edit/{row.pk}/").status_code in (302, 403)
    assert client.post(f"/cms/deliveries/delete/{row.pk}/").status_code in (302, 403)
    assert Delivery.objects.filter(pk=row.pk).exists()


def test_people_without_the_permission_are_kept_out(client, deliveries):
    client.force_login(UserFactory())
    assert client.get("/cms/deliveries/").status_code in (302, 403)
