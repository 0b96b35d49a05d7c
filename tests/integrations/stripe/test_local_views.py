"""The offline Stripe's hosted pages: Checkout, Connect onboarding, billing portal."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from integrations.stripe.local import StripeLocalGateway, simulator, store
from integrations.stripe.types import LineItem
from tests.integrations.stripe.offline import (
    active_membership,
    destination_request,
    membership_request,
    onboarded_account,
    payment_request,
    types,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def gateway():
    return StripeLocalGateway()


def local_path(url: str) -> str:
    """The path and query of a hosted page URL (served by the test client)."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def assert_strict_csp_friendly(html: str):
    """No inline script or style, which the site's CSP would block."""
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert "style=" not in html
    assert "<style" not in html


# Checkout -------------------------------------------------------------------------------


def test_checkout_page_shows_what_is_bought_and_the_total(client, gateway):
    account_id = onboarded_account(gateway)
    request = destination_request(
        account_id,
        line_items=(
            LineItem(name="Massage, 60 min", amount=6000, currency="gbp"),
            LineItem(name="Aromatherapy oil", amount=1250, currency="gbp", quantity=2),
        ),
        application_fee_amount=1000,
    )
    session = gateway.create_checkout_session(idempotency_key="k", request=request)

    response = client.get(local_path(session.url))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Massage, 60 min" in html
    assert "Aromatherapy oil" in html
    assert "£12.50" in html
    assert "£85.00" in html  # 60 + 2 × 12.50
    assert "Paid to Pat&#x27;s Bodywork" in html
    assert "client@example.com" in html
    for action in ("pay", "decline", "cancel"):
        assert f'name="action" value="{action}"' in html
    assert_strict_csp_friendly(html)


def test_checkout_page_needs_its_token(client, gateway, settings):
    session = gateway.create_checkout_session(idempotency_key="k", request=payment_request())
    path = urlsplit(session.url).path
    assert client.get(path).status_code == 404
    assert client.get(path + "?k=forged").status_code == 404
    assert client.post(path + "?k=forged", {"action": "pay"}).status_code == 404
    assert client.get("/stripe-local/checkout/cs_local_999999/?k=x").status_code == 404


def test_hosted_pages_do_not_exist_with_the_live_gateway(client, gateway, settings):
    session = gateway.create_checkout_session(idempotency_key="k", request=payment_request())
    settings.STRIPE_GATEWAY = "integrations.stripe.live.StripeLiveGateway"
    assert client.get(local_path(session.url)).status_code == 404


def test_pay_completes_and_redirects_to_the_success_url(client, gateway, delivered):
    session = gateway.create_checkout_session(idempotency_key="k", request=payment_request())

    with delivered() as sent:
        response = client.post(local_path(session.url), {"action": "pay"})

    assert response.status_code == 302
    assert response["Location"] == f"https://aeyia.test/bookings/42/paid?cs={session.id}"
    assert gateway.retrieve_checkout_session(session.id).payment_status == "paid"
    assert types(sent)[-1] == "checkout.session.completed"
    assert "payment_intent.succeeded" in types(sent)

    again = client.get(local_path(session.url))
    assert "already paid" in again.content.decode()
    assert client.post(local_path(session.url), {"action": "pay"}).status_code == 200
    assert store.find("charge") and len(store.find("charge")) == 1


def test_pay_asks_for_an_email_when_stripe_does_not_know_it(client, gateway):
    session = gateway.create_checkout_session(
        idempotency_key="k", request=payment_request(customer_email=None)
    )
    url = local_path(session.url)

    page = client.get(url).content.decode()
    assert 'type="email"' in page
    missing = client.post(url, {"action": "pay"})
    assert missing.status_code == 400
    assert "Enter the email address" in missing.content.decode()
    invalid = client.post(url, {"action": "pay", "email": "not-an-email"})
    assert invalid.status_code == 400

    response = client.post(url, {"action": "pay", "email": "walk-in@example.com"})
    assert response.status_code == 302
    paid = store.get(session.id, "checkout.session")
    assert paid["customer_details"]["email"] == "walk-in@example.com"


def test_decline_shows_a_message_and_keeps_the_session_open(client, gateway, delivered):
    session = gateway.create_checkout_session(idempotency_key="k", request=payment_request())

    with delivered() as sent:
        response = client.post(local_path(session.url), {"action": "decline"})

    assert response.status_code == 402
    html = response.content.decode()
    assert "Your card was declined." in html
    assert 'role="alert"' in html
    assert 'value="pay"' in html  # they can try again
    assert types(sent) == [
        "payment_intent.created",
        "charge.failed",
        "payment_intent.payment_failed",
    ]
    assert gateway.retrieve_checkout_session(session.id).status == "open"


def test_cancel_goes_back_without_events(client, gateway, delivered):
    session = gateway.create_checkout_session(idempotency_key="k", request=payment_request())
    with delivered() as sent:
        response = client.post(local_path(session.url), {"action": "cancel"})
    assert response.status_code == 302
    assert response["Location"] == "https://aeyia.test/bookings/42"
    assert sent == []
    assert gateway.retrieve_checkout_session(session.id).status == "open"


def test_an_unknown_action_is_a_bad_request(client, gateway):
    session = gateway.create_checkout_session(idempotency_key="k", request=payment_request())
    assert client.post(local_path(session.url), {"action": "steal"}).status_code == 400


def test_a_session_past_its_expiry_expires_when_visited(client, gateway, delivered):
    session = gateway.create_checkout_session(idempotency_key="k", request=payment_request())
    with time_machine.travel(timezone.now() + timedelta(days=1, seconds=1)):
        with delivered() as sent:
            response = client.get(local_path(session.url))
        assert response.status_code == 200
        assert "expired" in response.content.decode()
        assert types(sent) == ["checkout.session.expired"]
        pay_attempt = client.post(local_path(session.url), {"action": "pay"})
        assert pay_attempt.status_code == 200
        assert gateway.retrieve_checkout_session(session.id).status == "expired"


def test_subscription_checkout_page(client, gateway, delivered):
    session = gateway.create_checkout_session(idempotency_key="k", request=membership_request())
    page = client.get(local_path(session.url)).content.decode()
    assert "£29.00 per month" in page
    assert "Subscribe" in page
    with delivered() as sent:
        response = client.post(local_path(session.url), {"action": "pay"})
    assert response["Location"] == f"https://aeyia.test/membership/welcome?cs={session.id}"
    assert "invoice.paid" in types(sent)


# Connect onboarding ---------------------------------------------------------------------


def onboarding_link(gateway):
    account = gateway.create_connected_account(
        idempotency_key="a", email="pat@example.com", country="GB", metadata={}
    )
    link = gateway.create_account_link(
        account_id=account.id,
        refresh_url="https://aeyia.test/payouts/refresh",
        return_url="https://aeyia.test/payouts/done",
    )
    return account, local_path(link.url)


BANK_FORM = {
    "action": "submit",
    "business_name": "Pat's Bodywork",
    "holder_name": "Pat Practitioner",
    "routing_number": "10-88-00",
    "account_number": "00012345",
}


def test_onboarding_page(client, gateway):
    account, url = onboarding_link(gateway)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert account.id in html
    assert 'name="routing_number"' in html
    assert 'name="account_number"' in html
    assert_strict_csp_friendly(html)


def test_finishing_onboarding_enables_the_account(client, gateway, delivered):
    account, url = onboarding_link(gateway)

    with delivered() as sent:
        response = client.post(url, BANK_FORM)

    assert response.status_code == 302
    assert response["Location"] == "https://aeyia.test/payouts/done"
    refreshed = gateway.retrieve_account(account.id)
    assert refreshed.details_submitted and refreshed.charges_enabled and refreshed.payouts_enabled
    (delivery,) = sent
    assert (delivery.endpoint, delivery.event.type, delivery.event.account) == (
        "connect",
        "account.updated",
        account.id,
    )
    bank = store.get(account.id, "account")["external_accounts"]["data"][0]
    assert (bank["routing_number"], bank["last4"]) == ("108800", "2345")

    # Account links are single use: a second visit goes to refresh_url.
    reused = client.get(url)
    assert reused.status_code == 302
    assert reused["Location"] == "https://aeyia.test/payouts/refresh"


def test_onboarding_form_errors(client, gateway, delivered):
    account, url = onboarding_link(gateway)
    with delivered() as sent:
        response = client.post(url, {**BANK_FORM, "routing_number": "12", "account_number": "x"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a six-digit sort code." in html
    assert "Enter the account number in digits." in html
    assert 'aria-invalid="true"' in html
    assert sent == []
    assert gateway.retrieve_account(account.id).details_submitted is False


def test_finish_later_returns_without_changes(client, gateway, delivered):
    account, url = onboarding_link(gateway)
    with delivered() as sent:
        response = client.post(url, {"action": "later"})
    assert response["Location"] == "https://aeyia.test/payouts/done"
    assert sent == []
    assert gateway.retrieve_account(account.id).details_submitted is False


def test_an_expired_link_goes_to_refresh_url(client, gateway):
    _, url = onboarding_link(gateway)
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        response = client.get(url)
    assert response["Location"] == "https://aeyia.test/payouts/refresh"


def test_onboarding_link_belongs_to_its_account(client, gateway):
    _, url = onboarding_link(gateway)
    other = gateway.create_connected_account(
        idempotency_key="b", email="o@example.com", country="GB", metadata={}
    )
    wrong = re.sub(r"/connect/[^/]+/", f"/connect/{other.id}/", url)
    assert client.get(wrong).status_code == 404
    assert client.get(url.replace("k=", "k=0")).status_code == 404


# Billing portal -------------------------------------------------------------------------


def portal_for(gateway, subscription):
    portal = gateway.create_billing_portal_session(
        customer_id=subscription["customer"], return_url="https://aeyia.test/membership"
    )
    return local_path(portal.url)


def test_billing_portal_shows_plan_and_card(client, gateway):
    subscription = active_membership(gateway)
    response = client.get(portal_for(gateway, subscription))
    assert response.status_code == 200
    html = response.content.decode()
    assert "£29.00 per month" in html
    assert "Renews" in html
    assert "Visa ending in 4242" in html
    assert 'href="https://aeyia.test/membership"' in html
    assert_strict_csp_friendly(html)


def test_billing_portal_cancel_and_resume(client, gateway, delivered):
    subscription = active_membership(gateway)
    url = portal_for(gateway, subscription)

    with delivered() as sent:
        response = client.post(url, {"action": "cancel", "subscription": subscription["id"]})
    assert response.status_code == 302
    assert types(sent) == ["customer.subscription.updated"]
    assert sent[0].event.data_object["cancel_at_period_end"] is True
    assert "Ends" in client.get(url).content.decode()

    with delivered() as sent:
        client.post(url, {"action": "resume", "subscription": subscription["id"]})
    assert sent[0].event.data_object["cancel_at_period_end"] is False


def test_billing_portal_update_card(client, gateway, delivered):
    subscription = active_membership(gateway)
    url = portal_for(gateway, subscription)

    with delivered() as sent:
        response = client.post(url, {"action": "update_card", "card_number": "5555 5555 5555 4444"})

    assert response.status_code == 302
    assert types(sent) == [
        "payment_method.attached",
        "customer.updated",
        "customer.subscription.updated",
    ]
    customer = sent[1].event
    new_method = customer.data_object["invoice_settings"]["default_payment_method"]
    assert customer.previous_attributes == {"invoice_settings": {"default_payment_method": None}}
    assert store.get(new_method, "payment_method")["card"]["last4"] == "4444"
    assert store.get(subscription["id"], "subscription")["default_payment_method"] == new_method
    page = client.get(url).content.decode()
    assert "ending in 4444" in page
    assert "Your card was updated." in page


def test_billing_portal_card_errors(client, gateway):
    subscription = active_membership(gateway)
    response = client.post(
        portal_for(gateway, subscription), {"action": "update_card", "card_number": "1234"}
    )
    assert response.status_code == 400
    assert "Enter a card number" in response.content.decode()


def test_billing_portal_pays_an_overdue_invoice(client, gateway, delivered):
    subscription = active_membership(gateway)
    with transaction.atomic():
        simulator.renew_subscription(subscription["id"], fail=True)
    url = portal_for(gateway, subscription)
    page = client.get(url).content.decode()
    assert "Payment overdue" in page
    assert 'value="pay"' in page

    with delivered() as sent:
        client.post(url, {"action": "pay", "subscription": subscription["id"]})

    assert "invoice.paid" in types(sent)
    assert types(sent)[-1] == "customer.subscription.updated"
    assert store.get(subscription["id"], "subscription")["status"] == "active"


def test_billing_portal_only_acts_on_the_customers_own_subscriptions(client, gateway):
    subscription = active_membership(gateway)
    stranger = gateway.create_customer(idempotency_key="s", email=None, name="S", metadata={})
    portal = gateway.create_billing_portal_session(
        customer_id=stranger.id, return_url="https://aeyia.test/membership"
    )
    response = client.post(
        local_path(portal.url), {"action": "cancel", "subscription": subscription["id"]}
    )
    assert response.status_code == 404
    assert store.get(subscription["id"], "subscription")["cancel_at_period_end"] is False
