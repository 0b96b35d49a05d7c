"""The live adapter against Stripe's own example objects, with HTTP intercepted by
`responses`: what we send (method, path, form body, headers) and what we map back."""

import json
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses

from integrations.stripe import live
from integrations.stripe.types import (
    CheckoutRequest,
    LineItem,
    StripeError,
    WebhookSignatureError,
)
from tests.vendor import stripe_event, stripe_object, stripe_signature

API = "https://api.stripe.com"
SECRET_KEY = "sk_test_aeyia_live_adapter"
WEBHOOK_SECRET = "whsec_test_secret"


@pytest.fixture
def stripe_settings(settings):
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_API_VERSION = "2026-10-28.endive"
    settings.STRIPE_MAX_NETWORK_RETRIES = 2
    settings.STRIPE_TIMEOUT_SECONDS = 10
    return settings


@pytest.fixture
def no_backoff(monkeypatch):
    """stripe-python sleeps between retries (0.5 s and up); record instead of waiting."""
    sleeps: list[float] = []
    monkeypatch.setattr(time, "sleep", sleeps.append)
    return sleeps


@pytest.fixture
def http():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def gateway(stripe_settings, no_backoff):
    return live.StripeLiveGateway()


def body(call) -> dict[str, list[str]]:
    raw = call.request.body or ""
    if isinstance(raw, bytes):
        raw = raw.decode()
    return parse_qs(raw, keep_blank_values=True)


def path(call) -> str:
    return urlsplit(call.request.url).path


def query(call) -> dict[str, list[str]]:
    return parse_qs(urlsplit(call.request.url).query)


def assert_common_headers(call, *, settings):
    headers = call.request.headers
    assert headers["Authorization"] == f"Bearer {SECRET_KEY}"
    assert headers["Stripe-Version"] == settings.STRIPE_API_VERSION


def stripe_error_body(error_type: str, code: str | None = None, message: str = "nope") -> dict:
    error = {"type": error_type, "message": message}
    if code:
        error["code"] = code
    return {"error": error}


# Checkout -------------------------------------------------------------------------------


def test_payment_checkout_with_destination_charge(gateway, http, stripe_settings):
    session = stripe_object(
        "checkout.session",
        id="cs_test_booking",
        client_reference_id="booking:42",
        amount_total=6000,
        currency="gbp",
        metadata={"booking_id": "42"},
        url="https://checkout.stripe.com/c/pay/cs_test_booking",
    )
    http.post(f"{API}/v1/checkout/sessions", json=session)

    result = gateway.create_checkout_session(
        idempotency_key="checkout-booking-42",
        request=CheckoutRequest(
            mode="payment",
            line_items=(LineItem(name="Massage, 60 min", amount=6000, currency="GBP"),),
            success_url="https://aeyia.test/bookings/42/paid?cs={CHECKOUT_SESSION_ID}",
            cancel_url="https://aeyia.test/bookings/42",
            client_reference_id="booking:42",
            metadata={"booking_id": "42"},
            customer_email="client@example.com",
            destination_account_id="acct_practitioner",
            application_fee_amount=900,
            transfer_group="booking-42",
        ),
    )

    (call,) = http.calls
    assert call.request.method == "POST"
    assert path(call) == "/v1/checkout/sessions"
    assert_common_headers(call, settings=stripe_settings)
    assert call.request.headers["Idempotency-Key"] == "checkout-booking-42"
    assert "Stripe-Account" not in call.request.headers  # destination charges run on us
    sent = body(call)
    assert sent["mode"] == ["payment"]
    assert sent["line_items[0][price_data][currency]"] == ["gbp"]
    assert sent["line_items[0][price_data][unit_amount]"] == ["6000"]
    assert sent["line_items[0][price_data][product_data][name]"] == ["Massage, 60 min"]
    assert sent["line_items[0][quantity]"] == ["1"]
    assert "line_items[0][price_data][recurring][interval]" not in sent
    assert sent["payment_intent_data[application_fee_amount]"] == ["900"]
    assert sent["payment_intent_data[transfer_data][destination]"] == ["acct_practitioner"]
    assert sent["payment_intent_data[transfer_group]"] == ["booking-42"]
    assert sent["payment_intent_data[metadata][booking_id]"] == ["42"]
    assert sent["client_reference_id"] == ["booking:42"]
    assert sent["metadata[booking_id]"] == ["42"]
    assert sent["customer_email"] == ["client@example.com"]
    assert "customer" not in sent
    assert sent["success_url"] == ["https://aeyia.test/bookings/42/paid?cs={CHECKOUT_SESSION_ID}"]
    assert sent["cancel_url"] == ["https://aeyia.test/bookings/42"]

    assert result.id == "cs_test_booking"
    assert result.url == "https://checkout.stripe.com/c/pay/cs_test_booking"
    assert result.status == "open"
    assert result.payment_status == "unpaid"
    assert result.mode == "payment"
    assert result.client_reference_id == "booking:42"
    assert result.payment_intent_id == "pi_1PgafyB7WZ01zgkWSjxsAJo3"
    assert result.subscription_id is None
    assert result.customer_id is None
    assert result.amount_total == 6000
    assert result.currency == "gbp"
    assert result.metadata == {"booking_id": "42"}


def test_subscription_checkout(gateway, http):
    session = stripe_object(
        "checkout.session",
        id="cs_test_membership",
        mode="subscription",
        customer="cus_member",
        subscription="sub_member",
        payment_intent=None,
    )
    http.post(f"{API}/v1/checkout/sessions", json=session)

    result = gateway.create_checkout_session(
        idempotency_key="membership-checkout-7",
        request=CheckoutRequest(
            mode="subscription",
            line_items=(
                LineItem(
                    name="Aeyia membership",
                    amount=2900,
                    currency="gbp",
                    recurring_interval="month",
                ),
            ),
            success_url="https://aeyia.test/membership/welcome",
            cancel_url="https://aeyia.test/membership",
            client_reference_id="membership:7",
            metadata={"membership_id": "7"},
            customer_id="cus_member",
            subscription_metadata={"membership_id": "7", "plan": "monthly"},
        ),
    )

    sent = body(http.calls[0])
    assert sent["mode"] == ["subscription"]
    assert sent["line_items[0][price_data][recurring][interval]"] == ["month"]
    assert sent["line_items[0][price_data][unit_amount]"] == ["2900"]
    assert sent["subscription_data[metadata][membership_id]"] == ["7"]
    assert sent["subscription_data[metadata][plan]"] == ["monthly"]
    assert sent["customer"] == ["cus_member"]
    assert "customer_email" not in sent
    assert not any(key.startswith("payment_intent_data") for key in sent)
    assert result.mode == "subscription"
    assert result.customer_id == "cus_member"
    assert result.subscription_id == "sub_member"
    assert result.payment_intent_id is None


def test_retrieve_checkout_session(gateway, http, stripe_settings):
    session = stripe_object(
        "checkout.session",
        id="cs_test_done",
        status="complete",
        payment_status="paid",
        # Expanded objects are read for their id.
        payment_intent={"id": "pi_expanded", "object": "payment_intent"},
    )
    http.get(f"{API}/v1/checkout/sessions/cs_test_done", json=session)

    result = gateway.retrieve_checkout_session("cs_test_done")

    (call,) = http.calls
    assert call.request.method == "GET"
    assert path(call) == "/v1/checkout/sessions/cs_test_done"
    assert_common_headers(call, settings=stripe_settings)
    assert "Idempotency-Key" not in call.request.headers
    assert result.status == "complete"
    assert result.payment_status == "paid"
    assert result.payment_intent_id == "pi_expanded"


# Customers and billing ------------------------------------------------------------------


def test_create_customer(gateway, http, stripe_settings):
    http.post(f"{API}/v1/customers", json=stripe_object("customer", email="member@example.com"))

    result = gateway.create_customer(
        idempotency_key="customer-user-5",
        email="member@example.com",
        name="Mina Member",
        metadata={"user_id": "5"},
    )

    (call,) = http.calls
    assert path(call) == "/v1/customers"
    assert call.request.headers["Idempotency-Key"] == "customer-user-5"
    assert_common_headers(call, settings=stripe_settings)
    assert body(call) == {
        "email": ["member@example.com"],
        "name": ["Mina Member"],
        "metadata[user_id]": ["5"],
    }
    assert result.id == "cus_QXg1o8vcGmoR32"
    assert result.email == "member@example.com"


def test_billing_portal_session(gateway, http):
    http.post(f"{API}/v1/billing_portal/sessions", json=stripe_object("billing_portal.session"))

    result = gateway.create_billing_portal_session(
        customer_id="cus_QXg1o8vcGmoR32", return_url="https://aeyia.test/membership"
    )

    sent = body(http.calls[0])
    assert sent == {
        "customer": ["cus_QXg1o8vcGmoR32"],
        "return_url": ["https://aeyia.test/membership"],
    }
    assert result.id == "bps_1Pgc7HB7WZ01zgkWNs8s9Auh"
    assert result.url.startswith("https://")


def subscription_with_period_end(period_end: int, **changes):
    subscription = stripe_object("subscription", **changes)
    subscription["items"]["data"][0]["current_period_end"] = period_end
    return subscription


def test_set_subscription_cancel_at_period_end(gateway, http, stripe_settings):
    http.post(
        f"{API}/v1/subscriptions/sub_1Pgc6rB7WZ01zgkWNy0Cn5nw",
        json=subscription_with_period_end(
            1_900_000_000, cancel_at_period_end=True, metadata={"membership_id": "7"}
        ),
    )

    result = gateway.set_subscription_cancel_at_period_end(
        idempotency_key="membership-7-cancel-1",
        subscription_id="sub_1Pgc6rB7WZ01zgkWNy0Cn5nw",
        cancel_at_period_end=True,
    )

    (call,) = http.calls
    assert call.request.method == "POST"
    assert path(call) == "/v1/subscriptions/sub_1Pgc6rB7WZ01zgkWNy0Cn5nw"
    assert call.request.headers["Idempotency-Key"] == "membership-7-cancel-1"
    assert_common_headers(call, settings=stripe_settings)
    assert body(call) == {"cancel_at_period_end": ["true"]}
    assert result.cancel_at_period_end is True
    assert result.status == "active"
    assert result.customer_id == "cus_QXg1o8vcGmoR32"
    # Read from items.data[0]: the subscription itself has no current_period_end.
    assert result.current_period_end == 1_900_000_000
    assert result.metadata == {"membership_id": "7"}


def test_resume_subscription(gateway, http):
    http.post(
        f"{API}/v1/subscriptions/sub_1",
        json=subscription_with_period_end(1_900_000_000, id="sub_1", cancel_at_period_end=False),
    )
    result = gateway.set_subscription_cancel_at_period_end(
        idempotency_key="k", subscription_id="sub_1", cancel_at_period_end=False
    )
    assert body(http.calls[0]) == {"cancel_at_period_end": ["false"]}
    assert result.cancel_at_period_end is False


def test_cancel_subscription(gateway, http):
    http.delete(
        f"{API}/v1/subscriptions/sub_1",
        json=subscription_with_period_end(1_900_000_000, id="sub_1", status="canceled"),
    )
    result = gateway.cancel_subscription(
        idempotency_key="membership-7-downgrade", subscription_id="sub_1"
    )
    (call,) = http.calls
    assert call.request.method == "DELETE"
    assert call.request.headers["Idempotency-Key"] == "membership-7-downgrade"
    assert result.status == "canceled"


def test_subscription_period_end_falls_back_to_the_legacy_field():
    data = stripe_object("subscription", items={"object": "list", "data": []})
    data["current_period_end"] = 1_800_000_000
    assert live.subscription_from_stripe(data).current_period_end == 1_800_000_000
    data.pop("current_period_end")
    assert live.subscription_from_stripe(data).current_period_end is None


# Refunds --------------------------------------------------------------------------------


def test_refund_of_a_destination_charge(gateway, http, stripe_settings):
    http.post(
        f"{API}/v1/refunds",
        json=stripe_object("refund", amount=3000, currency="gbp", payment_intent="pi_booking"),
    )

    result = gateway.create_refund(
        idempotency_key="refund-booking-42-1",
        payment_intent_id="pi_booking",
        amount=3000,
        reason="requested_by_customer",
        reverse_transfer=True,
        refund_application_fee=True,
        metadata={"booking_id": "42"},
    )

    (call,) = http.calls
    assert path(call) == "/v1/refunds"
    assert call.request.headers["Idempotency-Key"] == "refund-booking-42-1"
    assert_common_headers(call, settings=stripe_settings)
    assert body(call) == {
        "payment_intent": ["pi_booking"],
        "amount": ["3000"],
        "reason": ["requested_by_customer"],
        "reverse_transfer": ["true"],
        "refund_application_fee": ["true"],
        "metadata[booking_id]": ["42"],
    }
    assert result.id == "re_1Pgc72B7WZ01zgkWqPvrRrPE"
    assert result.status == "succeeded"
    assert result.amount == 3000
    assert result.currency == "gbp"
    assert result.payment_intent_id == "pi_booking"
    assert result.charge_id == "ch_1PgafuB7WZ01zgkWXYmPNZs8"


def test_refund_without_reason_sends_none(gateway, http):
    http.post(f"{API}/v1/refunds", json=stripe_object("refund"))
    gateway.create_refund(
        idempotency_key="k",
        payment_intent_id="pi_1",
        amount=100,
        reason="",
        reverse_transfer=False,
        refund_application_fee=False,
        metadata={},
    )
    sent = body(http.calls[0])
    assert "reason" not in sent
    assert sent["reverse_transfer"] == ["false"]
    assert sent["refund_application_fee"] == ["false"]


# Connect --------------------------------------------------------------------------------


def test_create_express_account(gateway, http, stripe_settings):
    http.post(
        f"{API}/v1/accounts",
        json=stripe_object("account", email="pat@example.com", type="express"),
    )

    result = gateway.create_connected_account(
        idempotency_key="practitioner-3-account",
        email="pat@example.com",
        country="GB",
        metadata={"practitioner_id": "3"},
    )

    (call,) = http.calls
    assert path(call) == "/v1/accounts"
    assert call.request.headers["Idempotency-Key"] == "practitioner-3-account"
    assert_common_headers(call, settings=stripe_settings)
    assert body(call) == {
        "country": ["GB"],
        "email": ["pat@example.com"],
        "metadata[practitioner_id]": ["3"],
        "controller[fees][payer]": ["application"],
        "controller[losses][payments]": ["application"],
        "controller[requirement_collection]": ["stripe"],
        "controller[stripe_dashboard][type]": ["express"],
        "capabilities[card_payments][requested]": ["true"],
        "capabilities[transfers][requested]": ["true"],
    }
    assert result.id == "acct_1PgafTB7WZ01zgkW"
    assert result.email == "pat@example.com"
    assert result.charges_enabled is False
    assert result.payouts_enabled is False
    assert result.details_submitted is False


def test_account_link(gateway, http):
    http.post(
        f"{API}/v1/account_links", json=stripe_object("account_link", expires_at=1_900_000_300)
    )

    result = gateway.create_account_link(
        account_id="acct_1PgafTB7WZ01zgkW",
        refresh_url="https://aeyia.test/practitioner/payouts/refresh",
        return_url="https://aeyia.test/practitioner/payouts/done",
    )

    assert body(http.calls[0]) == {
        "account": ["acct_1PgafTB7WZ01zgkW"],
        "refresh_url": ["https://aeyia.test/practitioner/payouts/refresh"],
        "return_url": ["https://aeyia.test/practitioner/payouts/done"],
        "type": ["account_onboarding"],
    }
    assert result.url.startswith("https://")
    assert result.expires_at == 1_900_000_300


def test_retrieve_account(gateway, http, stripe_settings):
    http.get(
        f"{API}/v1/accounts/acct_1PgafTB7WZ01zgkW",
        json=stripe_object(
            "account", charges_enabled=True, payouts_enabled=True, details_submitted=True
        ),
    )

    result = gateway.retrieve_account("acct_1PgafTB7WZ01zgkW")

    (call,) = http.calls
    assert call.request.method == "GET"
    assert path(call) == "/v1/accounts/acct_1PgafTB7WZ01zgkW"
    assert_common_headers(call, settings=stripe_settings)
    assert result.charges_enabled is True
    assert result.payouts_enabled is True
    assert result.details_submitted is True


def test_transfer_to_a_connected_account(gateway, http, stripe_settings):
    http.post(
        f"{API}/v1/transfers",
        json=stripe_object("transfer", amount=5100, currency="gbp", transfer_group="booking-9"),
    )

    result = gateway.create_transfer(
        idempotency_key="payout-booking-9",
        amount=5100,
        currency="GBP",
        destination="acct_1PgafTB7WZ01zgkW",
        transfer_group="booking-9",
        metadata={"booking_id": "9"},
    )

    (call,) = http.calls
    assert path(call) == "/v1/transfers"
    assert call.request.headers["Idempotency-Key"] == "payout-booking-9"
    assert_common_headers(call, settings=stripe_settings)
    assert body(call) == {
        "amount": ["5100"],
        "currency": ["gbp"],
        "destination": ["acct_1PgafTB7WZ01zgkW"],
        "transfer_group": ["booking-9"],
        "metadata[booking_id]": ["9"],
    }
    assert result.id == "tr_1Pgc7BB7WZ01zgkWVJfE40RX"
    assert result.destination == "acct_1PgafTB7WZ01zgkW"
    assert result.amount == 5100
    assert result.transfer_group == "booking-9"


def test_calls_made_on_a_connected_account_send_stripe_account(stripe_settings, http, no_backoff):
    """The port has no call on a connected account yet; the client the adapter builds
    must still send Stripe-Account when asked, for the day it does."""
    gateway = live.StripeLiveGateway()
    http.get(f"{API}/v1/accounts/acct_1PgafTB7WZ01zgkW", json=stripe_object("account"))
    gateway._client.v1.accounts.retrieve(
        "acct_1PgafTB7WZ01zgkW", options={"stripe_account": "acct_1PgafTB7WZ01zgkW"}
    )
    assert http.calls[0].request.headers["Stripe-Account"] == "acct_1PgafTB7WZ01zgkW"


# Retries and errors ---------------------------------------------------------------------


def test_retry_after_a_server_error_reuses_the_idempotency_key(gateway, http, no_backoff):
    http.post(
        f"{API}/v1/refunds",
        status=500,
        json=stripe_error_body("api_error"),
    )
    http.post(f"{API}/v1/refunds", json=stripe_object("refund"))

    gateway.create_refund(
        idempotency_key="refund-once",
        payment_intent_id="pi_1",
        amount=100,
        reason="",
        reverse_transfer=False,
        refund_application_fee=False,
        metadata={},
    )

    assert len(http.calls) == 2
    assert [c.request.headers["Idempotency-Key"] for c in http.calls] == ["refund-once"] * 2
    assert body(http.calls[0]) == body(http.calls[1])
    assert len(no_backoff) == 1  # it backed off once


def test_retry_after_a_connection_error_reuses_the_idempotency_key(gateway, http):
    http.post(f"{API}/v1/transfers", body=requests.ConnectionError("connection reset"))
    http.post(f"{API}/v1/transfers", json=stripe_object("transfer"))

    gateway.create_transfer(
        idempotency_key="transfer-once",
        amount=100,
        currency="gbp",
        destination="acct_1",
        transfer_group="",
        metadata={},
    )

    assert [c.request.headers["Idempotency-Key"] for c in http.calls] == ["transfer-once"] * 2


def test_connection_errors_exhaust_the_retries_and_are_retryable(gateway, http, stripe_settings):
    http.post(f"{API}/v1/customers", body=requests.ConnectionError("down"))

    with pytest.raises(StripeError) as caught:
        gateway.create_customer(idempotency_key="k", email="a@example.com", name="A", metadata={})

    assert caught.value.retryable is True
    assert len(http.calls) == 1 + stripe_settings.STRIPE_MAX_NETWORK_RETRIES


def test_server_errors_exhaust_the_retries_and_are_retryable(gateway, http, stripe_settings):
    http.post(f"{API}/v1/customers", status=503, json=stripe_error_body("api_error"))

    with pytest.raises(StripeError) as caught:
        gateway.create_customer(idempotency_key="k", email="a@example.com", name="A", metadata={})

    assert caught.value.retryable is True
    assert len(http.calls) == 1 + stripe_settings.STRIPE_MAX_NETWORK_RETRIES


def test_card_error_is_not_retryable(gateway, http):
    http.post(
        f"{API}/v1/checkout/sessions",
        status=402,
        json=stripe_error_body("card_error", "card_declined", "Your card was declined."),
    )

    with pytest.raises(StripeError) as caught:
        gateway.create_checkout_session(
            idempotency_key="k",
            request=CheckoutRequest(
                mode="payment",
                line_items=(LineItem(name="x", amount=100, currency="gbp"),),
                success_url="https://aeyia.test/ok",
                cancel_url="https://aeyia.test/no",
                client_reference_id="x",
            ),
        )

    assert caught.value.retryable is False
    assert caught.value.code == "card_declined"
    assert "declined" in str(caught.value)
    assert len(http.calls) == 1


@pytest.mark.parametrize(
    ("status", "error_type", "code"),
    [
        (400, "invalid_request_error", "amount_too_large"),
        (404, "invalid_request_error", "resource_missing"),
        (400, "idempotency_error", None),  # mapped to code "idempotency_error"
        (401, "invalid_request_error", None),
        (403, "invalid_request_error", None),
    ],
)
def test_refused_requests_are_not_retryable(gateway, http, status, error_type, code):
    http.post(f"{API}/v1/refunds", status=status, json=stripe_error_body(error_type, code))

    with pytest.raises(StripeError) as caught:
        gateway.create_refund(
            idempotency_key="k",
            payment_intent_id="pi_1",
            amount=100,
            reason="",
            reverse_transfer=False,
            refund_application_fee=False,
            metadata={},
        )

    assert caught.value.retryable is False
    expected = code or ("idempotency_error" if error_type == "idempotency_error" else "")
    assert caught.value.code == expected
    assert len(http.calls) == 1


def test_rate_limit_is_retried_when_stripe_says_so_then_retryable(gateway, http, stripe_settings):
    # stripe-python retries a 429 only when Stripe adds `Stripe-Should-Retry: true`
    # (as it does for lock timeouts); either way the caller may try again later.
    http.post(
        f"{API}/v1/customers",
        status=429,
        json=stripe_error_body("invalid_request_error", "rate_limit", "Too many requests"),
        headers={"Stripe-Should-Retry": "true"},
    )

    with pytest.raises(StripeError) as caught:
        gateway.create_customer(idempotency_key="k", email="a@example.com", name="A", metadata={})

    assert caught.value.retryable is True
    assert caught.value.code == "rate_limit"
    assert len(http.calls) == 1 + stripe_settings.STRIPE_MAX_NETWORK_RETRIES
    assert {c.request.headers["Idempotency-Key"] for c in http.calls} == {"k"}


def test_plain_rate_limit_is_not_retried_by_the_sdk_but_is_retryable(gateway, http):
    http.post(f"{API}/v1/customers", status=429, json=stripe_error_body("invalid_request_error"))

    with pytest.raises(StripeError) as caught:
        gateway.create_customer(idempotency_key="k", email="a@example.com", name="A", metadata={})

    assert caught.value.retryable is True
    assert len(http.calls) == 1


def test_client_is_built_from_settings(stripe_settings):
    stripe_settings.STRIPE_TIMEOUT_SECONDS = 7
    stripe_settings.STRIPE_MAX_NETWORK_RETRIES = 3
    client = live.StripeLiveGateway()._client
    requestor = client._requestor
    assert requestor.api_key == SECRET_KEY
    assert requestor._options.stripe_version == "2026-10-28.endive"
    assert requestor._options.max_network_retries == 3
    assert requestor._client._timeout == 7


# Webhook signatures ---------------------------------------------------------------------


def signed_event(**changes):
    session = stripe_object(
        "checkout.session", status="complete", payment_status="paid", metadata={"booking_id": "1"}
    )
    event = stripe_event("checkout.session.completed", session, event_id="evt_test_1")
    event.update(changes)
    payload = json.dumps(event).encode()
    return event, payload


def test_construct_event_accepts_a_valid_signature():
    event, payload = signed_event()
    header = stripe_signature(payload, WEBHOOK_SECRET)

    result = live.construct_event(payload, header, WEBHOOK_SECRET)

    assert result.id == "evt_test_1"
    assert result.type == "checkout.session.completed"
    assert result.api_version == "2026-10-28.endive"
    assert result.livemode is False
    assert result.account is None
    assert result.previous_attributes is None
    assert isinstance(result.data_object, dict)
    assert result.data_object["metadata"] == {"booking_id": "1"}
    assert result.data_object["status"] == "complete"


def test_construct_event_reads_connect_account_and_previous_attributes():
    account = stripe_object("account", id="acct_9", charges_enabled=True)
    event = stripe_event("account.updated", account, account="acct_9")
    event["data"]["previous_attributes"] = {"charges_enabled": False}
    payload = json.dumps(event).encode()

    result = live.construct_event(
        payload, stripe_signature(payload, WEBHOOK_SECRET), WEBHOOK_SECRET
    )

    assert result.account == "acct_9"
    assert result.previous_attributes == {"charges_enabled": False}


def test_construct_event_accepts_a_timestamp_within_tolerance():
    _, payload = signed_event()
    for skew in (-299, 299):
        header = stripe_signature(payload, WEBHOOK_SECRET, timestamp=int(time.time()) + skew)
        assert live.construct_event(payload, header, WEBHOOK_SECRET).id == "evt_test_1"


def test_construct_event_accepts_a_header_with_several_signatures():
    # During secret rotation Stripe signs with both secrets: any match will do.
    _, payload = signed_event()
    good = stripe_signature(payload, WEBHOOK_SECRET)
    other = stripe_signature(payload, "whsec_old").split(",")[1]
    assert live.construct_event(payload, f"{good},{other}", WEBHOOK_SECRET).id == "evt_test_1"


def _bad(payload: bytes, header: str, secret: str = WEBHOOK_SECRET):
    with pytest.raises(WebhookSignatureError):
        live.construct_event(payload, header, secret)


def test_construct_event_refuses_a_tampered_body():
    _, payload = signed_event()
    header = stripe_signature(payload, WEBHOOK_SECRET)
    _bad(payload.replace(b'"booking_id": "1"', b'"booking_id": "2"'), header)


def test_construct_event_refuses_the_wrong_secret():
    _, payload = signed_event()
    _bad(payload, stripe_signature(payload, "whsec_someone_else"))


def test_construct_event_refuses_a_stale_timestamp():
    _, payload = signed_event()
    _bad(payload, stripe_signature(payload, WEBHOOK_SECRET, timestamp=int(time.time()) - 301))


def test_construct_event_refuses_a_future_timestamp():
    _, payload = signed_event()
    _bad(payload, stripe_signature(payload, WEBHOOK_SECRET, timestamp=int(time.time()) + 301))


@pytest.mark.parametrize(
    "header",
    [
        "",
        "garbage",
        "t=,v1=abc",
        "t=notanumber,v1=abc",
        "v1=abc",
        "t=1700000000",
        "t=1,t=2,v1=abc",
    ],
)
def test_construct_event_refuses_missing_or_garbled_headers(header):
    _, payload = signed_event()
    _bad(payload, header)


def test_construct_event_refuses_a_missing_header_or_secret():
    _, payload = signed_event()
    _bad(payload, None)  # type: ignore[arg-type]
    _bad(payload, stripe_signature(payload, WEBHOOK_SECRET), secret="")


@pytest.mark.parametrize(
    "payload",
    [
        b"not json at all",
        b"\xff\xfe\x00",
        b"[1, 2, 3]",
        b'{"object": "event", "id": "evt_1", "type": "x"}',
        b'{"object": "v2.core.event", "id": "evt_1", "type": "x", "data": {"object": {}}}',
    ],
)
def test_construct_event_refuses_bodies_that_are_not_events(payload):
    _bad(payload, stripe_signature(payload, WEBHOOK_SECRET))
