"""The offline Stripe behind the port: every gateway method, idempotency, Stripe's refusals,
object shapes, and the signed events it sends after commit."""

import json
from contextlib import contextmanager
from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from integrations.stripe import get_gateway, live
from integrations.stripe.local import LocalCall, StripeLocalGateway, events, simulator, store
from integrations.stripe.local.objects import add_interval
from integrations.stripe.models import LocalStripeObject, LocalWebhookDelivery
from integrations.stripe.types import LineItem, StripeError, WebhookSignatureError
from tests.integrations.stripe import receiver
from tests.integrations.stripe.offline import (
    active_membership,
    destination_request,
    membership_request,
    onboarded_account,
    paid_destination_charge,
    paid_plain_charge,
    pay,
    payment_request,
    types,
)
from tests.vendor import _stripe_resources, stripe_event_types

pytestmark = pytest.mark.django_db


@pytest.fixture
def gateway():
    return StripeLocalGateway()


def refund(gateway, payment_intent_id, amount, *, key="refund-1", **changes):
    arguments = {
        "idempotency_key": key,
        "payment_intent_id": payment_intent_id,
        "amount": amount,
        "reason": "requested_by_customer",
        "reverse_transfer": False,
        "refund_application_fee": False,
        "metadata": {"booking_id": "42"},
    }
    arguments.update(changes)
    return gateway.create_refund(**arguments)


@contextmanager
def refused(code: str):
    """A non-retryable StripeError with Stripe's error `code`."""
    with pytest.raises(StripeError) as info:
        yield info
    assert info.value.code == code, info.value
    assert info.value.retryable is False


# The factory and the call log -------------------------------------------------------------


def test_the_factory_serves_the_offline_stripe_by_default():
    get_gateway.cache_clear()
    try:
        assert isinstance(get_gateway(), StripeLocalGateway)
    finally:
        get_gateway.cache_clear()


def test_calls_are_recorded_and_reset(gateway):
    gateway.create_customer(idempotency_key="k1", email="a@example.com", name="A", metadata={})
    with pytest.raises(StripeError):
        gateway.retrieve_account("acct_missing")

    assert StripeLocalGateway.calls == [
        LocalCall(
            "create_customer",
            {"idempotency_key": "k1", "email": "a@example.com", "name": "A", "metadata": {}},
        ),
        LocalCall("retrieve_account", {"account_id": "acct_missing"}),
    ]
    StripeLocalGateway.reset()
    assert StripeLocalGateway.calls == []


def test_ids_are_deterministic_per_type(gateway):
    first = gateway.create_customer(idempotency_key="k1", email=None, name="A", metadata={})
    second = gateway.create_customer(idempotency_key="k2", email=None, name="B", metadata={})
    session = gateway.create_checkout_session(idempotency_key="k3", request=payment_request())
    assert (first.id, second.id, session.id) == (
        "cus_local_000001",
        "cus_local_000002",
        "cs_local_000001",
    )


# Customers and events -------------------------------------------------------------------


def test_create_customer_emits_a_signed_customer_created(gateway, delivered, settings):
    with delivered() as sent:
        customer = gateway.create_customer(
            idempotency_key="customer-user-5",
            email="member@example.com",
            name="Mina Member",
            metadata={"user_id": "5"},
        )

    assert customer.email == "member@example.com"
    stored = store.get(customer.id, "customer")
    assert stored["metadata"] == {"user_id": "5"}
    assert stored["name"] == "Mina Member"
    (delivery,) = sent
    assert delivery.endpoint == "platform"
    event = delivery.event
    assert event.type == "customer.created"
    assert event.id.startswith("evt_local_")
    assert event.api_version == settings.STRIPE_API_VERSION
    assert event.livemode is False
    assert event.account is None
    assert event.data_object == stored
    envelope = json.loads(delivery.payload)
    assert envelope["object"] == "event"
    assert envelope["pending_webhooks"] == 1
    assert envelope["request"]["idempotency_key"] == "customer-user-5"
    assert envelope["request"]["id"].startswith("req_local_")
    assert "previous_attributes" not in envelope["data"]
    assert "account" not in envelope


def test_events_are_signed_with_the_endpoint_secret(gateway, delivered, settings):
    with delivered() as sent:
        gateway.create_customer(idempotency_key="k", email=None, name="A", metadata={})
    (delivery,) = sent
    header = delivery.signature_header
    assert header.startswith("t=") and ",v1=" in header
    assert live.construct_event(delivery.payload, header, settings.STRIPE_WEBHOOK_SECRET)
    with pytest.raises(WebhookSignatureError):
        live.construct_event(delivery.payload, header, settings.STRIPE_CONNECT_WEBHOOK_SECRET)
    with pytest.raises(WebhookSignatureError):
        live.construct_event(delivery.payload + b" ", header, settings.STRIPE_WEBHOOK_SECRET)


def test_events_are_delivered_only_after_commit(gateway, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        gateway.create_customer(idempotency_key="k", email=None, name="A", metadata={})
        assert receiver.DELIVERIES == []
    assert receiver.DELIVERIES == []  # still inside the test's transaction
    assert len(callbacks) == 1
    callbacks[0]()
    assert [d.event.type for d in receiver.DELIVERIES] == ["customer.created"]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_sends_nothing(gateway):
    with pytest.raises(RuntimeError), transaction.atomic():
        gateway.create_customer(idempotency_key="k", email=None, name="A", metadata={})
        raise RuntimeError("the caller's transaction fails")
    assert receiver.DELIVERIES == []
    assert not LocalStripeObject.objects.exists()

    gateway.create_customer(idempotency_key="k", email=None, name="A", metadata={})
    # Autocommit: delivered as soon as the gateway's own transaction commits.
    assert [d.event.type for d in receiver.DELIVERIES] == ["customer.created"]
    assert LocalWebhookDelivery.objects.get().is_delivered


def test_a_failing_receiver_is_recorded_and_does_not_fail_the_call(
    gateway, delivered, settings, caplog
):
    settings.STRIPE_LOCAL_WEBHOOK_RECEIVER = "tests.integrations.stripe.receiver.failing_receive"
    with delivered():
        customer = gateway.create_customer(idempotency_key="k", email=None, name="A", metadata={})
    assert customer.id
    delivery = LocalWebhookDelivery.objects.get()
    assert delivery.is_delivered is False
    assert "the intake is down" in delivery.error
    assert "could not deliver" in caplog.text


def test_every_event_type_the_offline_stripe_emits_is_a_real_stripe_event_type():
    assert events.EMITTED_EVENT_TYPES <= stripe_event_types()


def test_emit_refuses_event_types_outside_the_list():
    with pytest.raises(ValueError, match="does not emit"):
        events.emit("customer.subscription.update", {"id": "sub_1", "object": "subscription"})


# Idempotency ----------------------------------------------------------------------------


def test_a_repeated_idempotency_key_replays_the_first_response(gateway, delivered):
    with delivered() as sent:
        first = gateway.create_customer(idempotency_key="k", email=None, name="A", metadata={})
        again = gateway.create_customer(idempotency_key="k", email=None, name="A", metadata={})
    assert again == first
    assert types(sent) == ["customer.created"]
    assert len(store.find("customer")) == 1
    assert len(StripeLocalGateway.calls) == 2


def test_a_replay_returns_the_first_response_even_after_changes(gateway, delivered):
    account_id, intent_id = paid_destination_charge(gateway)
    first = refund(gateway, intent_id, 1000, key="refund-a")
    refund(gateway, intent_id, 1000, key="refund-b")
    with delivered() as sent:
        replay = refund(gateway, intent_id, 1000, key="refund-a")
    assert replay == first
    assert sent == []
    charge = store.get(store.get(intent_id, "payment_intent")["latest_charge"], "charge")
    assert charge["amount_refunded"] == 2000


def test_the_same_key_with_other_parameters_is_refused(gateway):
    gateway.create_customer(idempotency_key="k", email=None, name="A", metadata={})
    with refused("idempotency_error"):
        gateway.create_customer(idempotency_key="k", email=None, name="B", metadata={})
    with refused("idempotency_error"):
        gateway.create_transfer(
            idempotency_key="k",
            amount=1,
            currency="gbp",
            destination="acct_x",
            transfer_group="",
            metadata={},
        )


def test_a_refused_request_saves_no_key(gateway):
    with refused("resource_missing"):
        gateway.create_checkout_session(
            idempotency_key="k",
            request=payment_request(customer_id="cus_missing", customer_email=None),
        )
    session = gateway.create_checkout_session(idempotency_key="k", request=payment_request())
    assert session.status == "open"


# Checkout -------------------------------------------------------------------------------


def test_create_payment_checkout_session(gateway, delivered, settings):
    account_id = onboarded_account(gateway)
    with delivered() as sent:
        session = gateway.create_checkout_session(
            idempotency_key="checkout-booking-42", request=destination_request(account_id)
        )

    assert sent == []  # Stripe sends nothing for a new session
    assert session.status == "open"
    assert session.payment_status == "unpaid"
    assert session.mode == "payment"
    assert session.amount_total == 6000
    assert session.currency == "gbp"
    assert session.client_reference_id == "booking:42"
    assert session.metadata == {"booking_id": "42"}
    assert session.payment_intent_id is None
    assert session.url.startswith(f"/stripe-local/checkout/{session.id}/?k=")
    stored = store.get(session.id, "checkout.session")
    assert stored["customer_email"] == "client@example.com"
    assert stored["expires_at"] == stored["created"] + 24 * 3600
    (item,) = simulator.line_items_of(session.id)
    assert item["description"] == "Massage, 60 min"
    assert item["price"]["unit_amount"] == 6000
    assert item["price"]["type"] == "one_time"


def test_retrieve_checkout_session(gateway):
    created = gateway.create_checkout_session(idempotency_key="k", request=payment_request())
    assert gateway.retrieve_checkout_session(created.id) == created
    with refused("resource_missing"):
        gateway.retrieve_checkout_session("cs_local_999999")


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"line_items": ()}, "parameter_missing"),
        ({"success_url": "/relative"}, "url_invalid"),
        ({"customer_id": "cus_1"}, ""),  # together with customer_email
        ({"customer_id": "cus_missing", "customer_email": None}, "resource_missing"),
        (
            {
                "line_items": (
                    LineItem(name="a", amount=100, currency="gbp"),
                    LineItem(name="b", amount=100, currency="eur"),
                )
            },
            "",
        ),
        (
            {"line_items": (LineItem(name="a", amount=100, currency="gbp", quantity=0),)},
            "parameter_invalid_integer",
        ),
        (
            {
                "line_items": (
                    LineItem(name="a", amount=1, currency="gbp", recurring_interval="month"),
                )
            },
            "",
        ),
        ({"application_fee_amount": 100}, ""),  # a fee needs a destination
        ({"destination_account_id": "acct_missing"}, "resource_missing"),
    ],
)
def test_checkout_sessions_stripe_refuses(gateway, changes, code):
    with refused(code):
        gateway.create_checkout_session(idempotency_key="k", request=payment_request(**changes))


def test_subscription_checkout_needs_recurring_prices(gateway):
    with refused(""):
        gateway.create_checkout_session(
            idempotency_key="k",
            request=membership_request(line_items=(LineItem(name="x", amount=1, currency="gbp"),)),
        )


def test_destination_charges_need_an_onboarded_account_and_a_fee_within_the_total(gateway):
    account = gateway.create_connected_account(
        idempotency_key="acct", email="p@example.com", country="GB", metadata={}
    )
    with refused("insufficient_capabilities_for_transfer"):
        gateway.create_checkout_session(
            idempotency_key="k1", request=destination_request(account.id)
        )
    account_id = onboarded_account(gateway, key="acct-2")
    with refused("amount_too_large"):
        gateway.create_checkout_session(
            idempotency_key="k2",
            request=destination_request(account_id, application_fee_amount=6001),
        )


def test_paying_a_destination_charge(gateway, delivered):
    account_id = onboarded_account(gateway)
    session = gateway.create_checkout_session(
        idempotency_key="checkout-booking-42", request=destination_request(account_id)
    )

    with delivered() as sent:
        pay(session.id)

    assert types(sent) == [
        "payment_intent.created",
        "charge.succeeded",
        "payment_intent.succeeded",
        "application_fee.created",
        "transfer.created",
        "checkout.session.completed",
    ]
    assert all(d.endpoint == "platform" for d in sent)
    completed = gateway.retrieve_checkout_session(session.id)
    assert completed.status == "complete"
    assert completed.payment_status == "paid"
    assert completed.url is None
    assert sent[-1].event.data_object["id"] == session.id
    assert sent[-1].event.data_object["customer_details"]["email"] == "client@example.com"

    intent = store.get(completed.payment_intent_id, "payment_intent")
    assert intent["status"] == "succeeded"
    assert intent["amount_received"] == 6000
    assert intent["application_fee_amount"] == 900
    assert intent["transfer_data"] == {"destination": account_id}
    assert intent["transfer_group"] == "booking-42"
    assert intent["metadata"] == {"booking_id": "42"}
    charge = store.get(intent["latest_charge"], "charge")
    assert charge["status"] == "succeeded"
    assert charge["paid"] is True
    assert charge["payment_intent"] == intent["id"]
    assert charge["metadata"] == {"booking_id": "42"}
    assert charge["amount_refunded"] == 0
    fee = store.get(charge["application_fee"], "application_fee")
    assert (fee["amount"], fee["account"], fee["charge"]) == (900, account_id, charge["id"])
    transfer = store.get(charge["transfer"], "transfer")
    assert transfer["amount"] == 5100
    assert transfer["destination"] == account_id
    assert transfer["source_transaction"] == charge["id"]
    assert transfer["transfer_group"] == "booking-42"


def test_declined_card_keeps_the_session_open_and_a_later_payment_reuses_the_intent(
    gateway, delivered
):
    session = gateway.create_checkout_session(idempotency_key="k", request=payment_request())

    with delivered() as sent, transaction.atomic():
        simulator.checkout_decline(session.id)

    assert types(sent) == [
        "payment_intent.created",
        "charge.failed",
        "payment_intent.payment_failed",
    ]
    failed = sent[-1].event.data_object
    assert failed["status"] == "requires_payment_method"
    assert failed["last_payment_error"]["code"] == "card_declined"
    assert failed["last_payment_error"]["decline_code"] == "generic_decline"
    assert failed["metadata"] == {"booking_id": "42"}
    still_open = gateway.retrieve_checkout_session(session.id)
    assert still_open.status == "open"
    assert still_open.payment_intent_id == failed["id"]

    with delivered() as sent:
        pay(session.id)
    assert "payment_intent.created" not in types(sent)
    assert gateway.retrieve_checkout_session(session.id).payment_intent_id == failed["id"]
    assert store.get(failed["id"], "payment_intent")["last_payment_error"] is None


def test_paying_a_membership(gateway, delivered):
    session = gateway.create_checkout_session(
        idempotency_key="membership-checkout-7", request=membership_request()
    )

    with delivered() as sent:
        paid = pay(session.id)

    assert types(sent) == [
        "customer.created",
        "payment_method.attached",
        "customer.subscription.created",
        "payment_intent.created",
        "charge.succeeded",
        "payment_intent.succeeded",
        "invoice.paid",
        "customer.subscription.updated",
        "checkout.session.completed",
    ]
    completed = gateway.retrieve_checkout_session(session.id)
    assert completed.subscription_id and completed.customer_id
    assert completed.payment_intent_id is None
    customer = store.get(completed.customer_id, "customer")
    assert customer["email"] == "member@example.com"

    created = sent[2].event.data_object
    assert created["status"] == "incomplete"
    updated = sent[7].event
    assert updated.data_object["status"] == "active"
    assert updated.previous_attributes == {"status": "incomplete"}

    subscription = store.get(completed.subscription_id, "subscription")
    assert subscription["customer"] == completed.customer_id
    assert subscription["metadata"] == {"membership_id": "7"}
    assert subscription["cancel_at_period_end"] is False
    (item,) = subscription["items"]["data"]
    assert item["current_period_end"] == add_interval(item["current_period_start"], "month")
    assert item["price"]["recurring"]["interval"] == "month"
    assert item["price"]["unit_amount"] == 2900

    invoice = sent[6].event.data_object
    assert invoice["id"] == subscription["latest_invoice"] == paid["invoice"]
    assert invoice["status"] == "paid"
    assert invoice["billing_reason"] == "subscription_create"
    assert invoice["amount_paid"] == 2900
    assert invoice["parent"]["subscription_details"] == {
        "metadata": {"membership_id": "7"},
        "subscription": subscription["id"],
    }
    (line,) = invoice["lines"]["data"]
    assert line["period"] == {
        "start": item["current_period_start"],
        "end": item["current_period_end"],
    }
    assert line["description"] == "1 × Aeyia membership"

    mapped = StripeLocalGateway()
    assert (
        mapped.set_subscription_cancel_at_period_end(
            idempotency_key="noop", subscription_id=subscription["id"], cancel_at_period_end=False
        ).current_period_end
        == item["current_period_end"]
    )


def test_a_membership_for_an_existing_customer(gateway, delivered):
    customer = gateway.create_customer(
        idempotency_key="c", email="known@example.com", name="Known", metadata={}
    )
    session = gateway.create_checkout_session(
        idempotency_key="m",
        request=membership_request(customer_id=customer.id, customer_email=None),
    )
    with delivered() as sent:
        paid = pay(session.id)
    assert "customer.created" not in types(sent)
    assert paid["customer"] == customer.id
    assert paid["customer_details"]["email"] == "known@example.com"


def test_expiring_a_checkout(gateway, delivered):
    session = gateway.create_checkout_session(idempotency_key="k", request=payment_request())
    with delivered() as sent, transaction.atomic():
        simulator.checkout_decline(session.id)
        simulator.expire_checkout(session.id)
    assert types(sent)[-2:] == ["payment_intent.canceled", "checkout.session.expired"]
    assert gateway.retrieve_checkout_session(session.id).status == "expired"
    with refused("checkout_not_open"):
        pay(session.id)
    with refused(""):
        simulator.expire_checkout(session.id)


def test_sessions_expire_after_24_hours(gateway, delivered):
    session = gateway.create_checkout_session(idempotency_key="k", request=payment_request())
    with time_machine.travel(timezone.now() + timedelta(hours=24, seconds=1)):
        with refused("checkout_not_open"):
            pay(session.id)
        with delivered() as sent:
            simulator.expire_if_due(session.id)
    assert types(sent) == ["checkout.session.expired"]


# Subscriptions --------------------------------------------------------------------------


def test_cancel_at_period_end_and_resume(gateway, delivered):
    subscription = active_membership(gateway)
    period_end = subscription["items"]["data"][0]["current_period_end"]

    with delivered() as sent:
        cancelled = gateway.set_subscription_cancel_at_period_end(
            idempotency_key="cancel-1",
            subscription_id=subscription["id"],
            cancel_at_period_end=True,
        )
    assert cancelled.cancel_at_period_end is True
    assert cancelled.status == "active"
    assert cancelled.current_period_end == period_end
    assert cancelled.metadata == {"membership_id": "7"}
    (event,) = [d.event for d in sent]
    assert event.type == "customer.subscription.updated"
    assert event.data_object["cancel_at"] == period_end
    assert event.previous_attributes["cancel_at_period_end"] is False
    assert event.previous_attributes["cancel_at"] is None
    assert event.previous_attributes["cancellation_details"] == {"reason": None}

    with delivered() as sent:
        gateway.set_subscription_cancel_at_period_end(
            idempotency_key="cancel-2",
            subscription_id=subscription["id"],
            cancel_at_period_end=True,
        )
    assert sent == []  # nothing changed, nothing sent

    with delivered() as sent:
        resumed = gateway.set_subscription_cancel_at_period_end(
            idempotency_key="resume-1",
            subscription_id=subscription["id"],
            cancel_at_period_end=False,
        )
    assert resumed.cancel_at_period_end is False
    assert sent[0].event.previous_attributes["cancel_at_period_end"] is True


def test_cancel_subscription_now(gateway, delivered):
    subscription = active_membership(gateway)
    with delivered() as sent:
        cancelled = gateway.cancel_subscription(
            idempotency_key="downgrade-7", subscription_id=subscription["id"]
        )
    assert cancelled.status == "canceled"
    assert types(sent) == ["customer.subscription.deleted"]
    assert sent[0].event.data_object["ended_at"] is not None
    # The same key replays; a new request on a canceled subscription is refused.
    assert (
        gateway.cancel_subscription(
            idempotency_key="downgrade-7", subscription_id=subscription["id"]
        )
        == cancelled
    )
    with refused(""):
        gateway.cancel_subscription(idempotency_key="again", subscription_id=subscription["id"])
    with refused(""):
        gateway.set_subscription_cancel_at_period_end(
            idempotency_key="x", subscription_id=subscription["id"], cancel_at_period_end=True
        )
    with refused("resource_missing"):
        gateway.cancel_subscription(idempotency_key="y", subscription_id="sub_missing")


def test_add_interval_keeps_the_day_of_month():
    jan_31 = 1738281600  # 2025-01-31 00:00 UTC
    assert add_interval(jan_31, "month") == 1740700800  # 2025-02-28
    assert add_interval(jan_31, "year") == 1769817600  # 2026-01-31
    assert add_interval(jan_31, "month", 2) == 1743379200  # 2025-03-31


# Refunds --------------------------------------------------------------------------------


def test_partial_refund_of_a_destination_charge(gateway, delivered):
    account_id, intent_id = paid_destination_charge(gateway)

    with delivered() as sent:
        result = refund(
            gateway,
            intent_id,
            3000,
            key="refund-booking-42",
            reverse_transfer=True,
            refund_application_fee=True,
        )

    assert result.status == "succeeded"
    assert result.amount == 3000
    assert result.currency == "gbp"
    assert result.payment_intent_id == intent_id
    assert types(sent) == [
        "charge.refunded",
        "refund.created",
        "transfer.reversed",
        "application_fee.refunded",
    ]
    charge_event = sent[0].event
    assert charge_event.data_object["amount_refunded"] == 3000
    assert charge_event.data_object["refunded"] is False
    assert charge_event.previous_attributes == {"amount_refunded": 0}
    refund_object = sent[1].event.data_object
    assert refund_object["metadata"] == {"booking_id": "42"}
    assert refund_object["reason"] == "requested_by_customer"
    transfer = sent[2].event.data_object
    assert transfer["amount_reversed"] == 2550  # half of the £51 transfer
    assert transfer["reversed"] is False
    assert transfer["reversals"]["data"][0]["id"] == refund_object["transfer_reversal"]
    assert transfer["reversals"]["data"][0]["source_refund"] == result.id
    fee = sent[3].event.data_object
    assert fee["amount_refunded"] == 450  # half of the £9 fee
    assert fee["refunds"]["data"][0]["amount"] == 450


def test_refunds_in_parts_reverse_exactly_everything(gateway):
    _, intent_id = paid_destination_charge(gateway)
    for index, amount in enumerate((1999, 2001, 2000)):
        refund(
            gateway,
            intent_id,
            amount,
            key=f"r{index}",
            reverse_transfer=True,
            refund_application_fee=True,
        )
    charge = store.get(store.get(intent_id, "payment_intent")["latest_charge"], "charge")
    assert charge["refunded"] is True
    assert charge["amount_refunded"] == 6000
    transfer = store.get(charge["transfer"], "transfer")
    assert transfer["amount_reversed"] == 5100 and transfer["reversed"] is True
    fee = store.get(charge["application_fee"], "application_fee")
    assert fee["amount_refunded"] == 900 and fee["refunded"] is True


def test_refund_limits(gateway, delivered):
    intent_id = paid_plain_charge(gateway)
    with delivered() as sent:
        with refused("amount_too_large"):
            refund(gateway, intent_id, 6001, key="too-much")
        refund(gateway, intent_id, 6000, key="all")
        with refused("charge_already_refunded"):
            refund(gateway, intent_id, 1, key="more")
    assert types(sent) == ["charge.refunded", "refund.created"]
    assert sent[0].event.data_object["refunded"] is True


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"amount": 0}, "parameter_invalid_integer"),
        ({"reason": "changed_my_mind"}, ""),
        ({"reverse_transfer": True}, ""),  # not a destination charge
        ({"payment_intent_id": "pi_missing"}, "resource_missing"),
    ],
)
def test_refunds_stripe_refuses(gateway, changes, code):
    intent_id = changes.pop("payment_intent_id", None) or paid_plain_charge(gateway)
    with refused(code):
        refund(gateway, intent_id, changes.pop("amount", 100), **changes)


def test_an_unpaid_payment_cannot_be_refunded(gateway):
    session = gateway.create_checkout_session(idempotency_key="k", request=payment_request())
    with transaction.atomic():
        simulator.checkout_decline(session.id)
    intent_id = gateway.retrieve_checkout_session(session.id).payment_intent_id
    with refused(""):
        refund(gateway, intent_id, 100)


def test_a_disputed_charge_cannot_be_refunded_until_the_dispute_is_won(gateway):
    intent_id = paid_plain_charge(gateway)
    with transaction.atomic():
        simulator.dispute(intent_id)
    with refused("charge_disputed"):
        refund(gateway, intent_id, 100, key="r1")
    with transaction.atomic():
        simulator.dispute(intent_id, outcome="won")
    assert refund(gateway, intent_id, 100, key="r2").status == "succeeded"


# Connect --------------------------------------------------------------------------------


def test_create_express_account_and_onboarding_link(gateway, delivered):
    with delivered() as sent:
        account = gateway.create_connected_account(
            idempotency_key="practitioner-3-account",
            email="pat@example.com",
            country="GB",
            metadata={"practitioner_id": "3"},
        )
        link = gateway.create_account_link(
            account_id=account.id,
            refresh_url="https://aeyia.test/payouts/refresh",
            return_url="https://aeyia.test/payouts/done",
        )
    assert sent == []
    assert account.id == "acct_local_000001"
    assert (account.charges_enabled, account.payouts_enabled, account.details_submitted) == (
        False,
        False,
        False,
    )
    stored = store.get(account.id, "account")
    assert stored["type"] == "express"
    assert stored["controller"]["stripe_dashboard"] == {"type": "express"}
    assert stored["capabilities"] == {"card_payments": "inactive", "transfers": "inactive"}
    assert stored["default_currency"] == "gbp"
    assert link.url.startswith(f"/stripe-local/connect/{account.id}/?link=")
    assert link.expires_at > store.now()
    assert gateway.retrieve_account(account.id) == account
    with refused("resource_missing"):
        gateway.create_account_link(
            account_id="acct_missing", refresh_url="https://a.test/r", return_url="https://a.test/d"
        )


def test_finishing_onboarding_sends_account_updated_to_the_connect_endpoint(
    gateway, delivered, settings
):
    account = gateway.create_connected_account(
        idempotency_key="a", email="pat@example.com", country="GB", metadata={}
    )
    with delivered() as sent, transaction.atomic():
        simulator.complete_onboarding(
            account.id,
            business_name="Pat's Bodywork",
            holder_name="Pat",
            routing_number="108800",
            account_number="00012345",
        )
    (delivery,) = sent
    assert delivery.endpoint == "connect"
    assert delivery.event.type == "account.updated"
    assert delivery.event.account == account.id
    assert json.loads(delivery.payload)["account"] == account.id
    with pytest.raises(WebhookSignatureError):
        live.construct_event(
            delivery.payload, delivery.signature_header, settings.STRIPE_WEBHOOK_SECRET
        )
    data = delivery.event.data_object
    assert data["charges_enabled"] and data["payouts_enabled"] and data["details_submitted"]
    assert data["external_accounts"]["data"][0]["last4"] == "2345"
    previous = delivery.event.previous_attributes
    assert previous["charges_enabled"] is False
    assert previous["details_submitted"] is False
    assert previous["capabilities"] == {"card_payments": "inactive", "transfers": "inactive"}
    assert gateway.retrieve_account(account.id).charges_enabled is True


def test_transfers(gateway, delivered):
    account_id = onboarded_account(gateway)
    with delivered() as sent:
        transfer = gateway.create_transfer(
            idempotency_key="payout-booking-9",
            amount=5100,
            currency="GBP",
            destination=account_id,
            transfer_group="booking-9",
            metadata={"booking_id": "9"},
        )
    assert (transfer.amount, transfer.currency, transfer.destination) == (5100, "gbp", account_id)
    assert transfer.transfer_group == "booking-9"
    assert types(sent) == ["transfer.created"]
    assert sent[0].endpoint == "platform"
    assert sent[0].event.data_object["metadata"] == {"booking_id": "9"}

    pending = gateway.create_connected_account(
        idempotency_key="b", email="new@example.com", country="GB", metadata={}
    )
    with refused("insufficient_capabilities_for_transfer"):
        gateway.create_transfer(
            idempotency_key="t2",
            amount=100,
            currency="gbp",
            destination=pending.id,
            transfer_group="",
            metadata={},
        )
    with refused("resource_missing"):
        gateway.create_transfer(
            idempotency_key="t3",
            amount=100,
            currency="gbp",
            destination="acct_missing",
            transfer_group="",
            metadata={},
        )
    with refused("parameter_invalid_integer"):
        gateway.create_transfer(
            idempotency_key="t4",
            amount=0,
            currency="gbp",
            destination=account_id,
            transfer_group="",
            metadata={},
        )


# Billing portal ------------------------------------------------------------------------


def test_billing_portal_session(gateway):
    customer = gateway.create_customer(idempotency_key="c", email=None, name="A", metadata={})
    portal = gateway.create_billing_portal_session(
        customer_id=customer.id, return_url="https://aeyia.test/membership"
    )
    assert portal.id == "bps_local_000001"
    assert portal.url.startswith(f"/stripe-local/billing/{portal.id}/?k=")
    with refused("resource_missing"):
        gateway.create_billing_portal_session(
            customer_id="cus_missing", return_url="https://aeyia.test/membership"
        )


# Shapes ---------------------------------------------------------------------------------

# Fields the offline Stripe fills that Stripe's example objects happen to omit.
KNOWN_EXTRA_FIELDS = {
    "charge": {"transfer"},  # set on destination charges (Charge.transfer)
    "event": {"account"},  # Connect events name the connected account
}


def test_stored_objects_use_stripes_field_names(gateway):
    """Every top-level field of every object the offline Stripe made in a full run is a
    field of Stripe's own example object of that type."""
    _, intent_id = paid_destination_charge(gateway)
    refund(gateway, intent_id, 100, reverse_transfer=True, refund_application_fee=True)
    with transaction.atomic():
        simulator.dispute(intent_id, outcome="lost")
    subscription = active_membership(gateway)
    with transaction.atomic():
        simulator.renew_subscription(subscription["id"])
        simulator.update_default_card(subscription["customer"], last4="1881")
    gateway.create_billing_portal_session(
        customer_id=subscription["customer"], return_url="https://aeyia.test/m"
    )
    examples = _stripe_resources()
    checked = set()
    for row in LocalStripeObject.objects.all():
        if row.object_type not in examples:
            continue
        allowed = set(examples[row.object_type]) | KNOWN_EXTRA_FIELDS.get(row.object_type, set())
        assert set(row.data) <= allowed, (row.object_type, set(row.data) - allowed)
        checked.add(row.object_type)
    # Events, too: the envelope has Stripe's fields (plus `account` on Connect events).
    assert {
        "event",
        "checkout.session",
        "payment_intent",
        "charge",
        "refund",
        "dispute",
        "customer",
        "payment_method",
        "subscription",
        "invoice",
        "account",
        "transfer",
        "application_fee",
        "billing_portal.session",
        "product",
    } <= checked


def test_subscription_items_and_invoice_lines_have_stripes_fields(gateway):
    subscription = active_membership(gateway)
    examples = _stripe_resources()
    (item,) = subscription["items"]["data"]
    assert set(item) <= set(examples["subscription_item"]) | {
        "current_period_start",
        "current_period_end",
    }
    assert set(item["price"]) <= set(examples["price"])
    invoice = store.get(subscription["latest_invoice"], "invoice")
    (line,) = invoice["lines"]["data"]
    assert set(line) <= set(examples["line_item"])
