"""One-click unsubscribe (RFC 8058) in "News and offers" emails to people with an account."""

import re

import pytest
from django.core import mail
from django.test import Client

from notifications import delivery
from notifications.kinds import Category, Channel
from notifications.selectors import channel_enabled
from notifications.services import notify, preference_set
from notifications.unsubscribe import unsubscribe_token
from tests.accounts.factories import UserFactory
from tests.notifications.core_support import CONTEXT

pytestmark = pytest.mark.django_db


def _send(user, type_key: str) -> mail.EmailMessage:
    notification = notify(
        recipient=user, type_key=type_key, context=CONTEXT, dedupe_key=f"{type_key}:1"
    )
    email = notification.deliveries.get(channel=Channel.EMAIL)
    assert delivery.delivery_send(delivery_id=email.pk) == "sent"
    return mail.outbox[-1]


def _link(message: mail.EmailMessage) -> str:
    match = re.fullmatch(r"<https?://[^/]+(/.+)>", message.extra_headers["List-Unsubscribe"])
    assert match, message.extra_headers
    return match.group(1)


def test_marketing_email_carries_one_click_unsubscribe_and_it_turns_offers_off(
    notification_types,
):
    person = UserFactory()
    preference_set(user=person, category=Category.MARKETING, channel=Channel.EMAIL, enabled=True)
    message = _send(person, "tests.offer")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # A mail client's one-click POST: no session, no CSRF token.
    client = Client(enforce_csrf_checks=True)
    assert client.get(_link(message)).status_code == 200
    assert channel_enabled(person, Category.MARKETING, Channel.EMAIL) is True  # GET changes nothing
    response = client.post(_link(message), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "You are unsubscribed" in response.content.decode()
    assert channel_enabled(person, Category.MARKETING, Channel.EMAIL) is False
    assert client.post(_link(message)).status_code == 200  # again: still fine


def test_other_emails_have_no_unsubscribe_header(notification_types):
    message = _send(UserFactory(), "tests.receipt")
    assert "List-Unsubscribe" not in message.extra_headers


def test_a_tampered_or_foreign_token_is_a_404_and_changes_nothing(notification_types):
    person = UserFactory()
    preference_set(user=person, category=Category.MARKETING, channel=Channel.EMAIL, enabled=True)
    token = unsubscribe_token(user_id=person.pk)
    client = Client()
    for bad in (token[:-2] + "xx", "not-a-token"):
        response = client.post(f"/account/notifications/unsubscribe/{bad}/")
        assert response.status_code == 404
    assert channel_enabled(person, Category.MARKETING, Channel.EMAIL) is True
