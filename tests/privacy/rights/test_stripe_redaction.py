"""customer_redact: the live adapter's request shape (responses intercepts HTTP) and a
customer Stripe no longer has counting as done."""

from urllib.parse import parse_qs

import pytest
import responses

from integrations.stripe import live
from integrations.stripe.types import StripeError


@pytest.fixture
def gateway(settings, monkeypatch):
    import time

    monkeypatch.setattr(time, "sleep", lambda seconds: None)
    settings.STRIPE_SECRET_KEY = "sk_test_aeyia_redaction"
    settings.STRIPE_API_VERSION = "2026-10-28.endive"
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    settings.STRIPE_TIMEOUT_SECONDS = 10
    return live.StripeLiveGateway()


def test_the_live_call_clears_every_personal_field_with_an_idempotency_key(gateway):
    with responses.RequestsMock() as http:
        http.post(
            "https://api.stripe.com/v1/customers/cus_123",
            json={"id": "cus_123", "object": "customer", "email": None, "name": None},
        )
        customer = gateway.customer_redact(
            idempotency_key="customer-redact-cus_123", customer_id="cus_123"
        )
        [call] = http.calls
    assert customer.id == "cus_123" and customer.email is None
    sent = parse_qs(call.request.body, keep_blank_values=True)
    for field in ("name", "email", "phone", "description", "address", "shipping", "metadata"):
        assert sent[field] == [""], field
    assert call.request.headers["Idempotency-Key"] == "customer-redact-cus_123"
    assert call.request.headers["Authorization"] == "Bearer sk_test_aeyia_redaction"


def test_a_customer_stripe_no_longer_has_is_already_redacted(gateway):
    with responses.RequestsMock() as http:
        http.post(
            "https://api.stripe.com/v1/customers/cus_gone",
            status=404,
            json={
                "error": {
                    "type": "invalid_request_error",
                    "code": "resource_missing",
                    "message": "No such customer",
                }
            },
        )
        assert gateway.customer_redact(idempotency_key="k", customer_id="cus_gone").id == "cus_gone"


def test_other_failures_are_raised(gateway):
    with responses.RequestsMock() as http:
        http.post(
            "https://api.stripe.com/v1/customers/cus_1",
            status=401,
            json={"error": {"type": "invalid_request_error", "message": "bad key"}},
        )
        with pytest.raises(StripeError):
            gateway.customer_redact(idempotency_key="k", customer_id="cus_1")
