"""`manage.py stripe_local`: Stripe's clock and card networks, offline."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from integrations.stripe.local import StripeLocalGateway, store
from integrations.stripe.local.objects import add_interval
from integrations.stripe.models import LocalWebhookDelivery
from tests.integrations.stripe.offline import (
    active_membership,
    paid_plain_charge,
    payment_request,
    types,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def gateway():
    return StripeLocalGateway()


def run(*args: str) -> str:
    out = StringIO()
    call_command("stripe_local", *args, stdout=out)
    return out.getvalue()


def test_renew_charges_the_next_period(gateway, delivered):
    subscription = active_membership(gateway)
    old_item = subscription["items"]["data"][0]

    with delivered() as sent:
        output = run("renew", subscription["id"])

    assert types(sent) == [
        "customer.subscription.updated",
        "payment_intent.created",
        "charge.succeeded",
        "payment_intent.succeeded",
        "invoice.paid",
    ]
    new_end = add_interval(old_item["current_period_end"], "month")
    updated = sent[0].event
    item = updated.data_object["items"]["data"][0]
    assert item["current_period_start"] == old_item["current_period_end"]
    assert item["current_period_end"] == new_end
    assert (
        updated.previous_attributes["items"]["data"][0]["current_period_end"]
        == (old_item["current_period_end"])
    )
    assert updated.previous_attributes["latest_invoice"] == subscription["latest_invoice"]
    invoice = sent[-1].event.data_object
    assert invoice["billing_reason"] == "subscription_cycle"
    assert invoice["status"] == "paid"
    assert invoice["amount_paid"] == 2900
    assert invoice["parent"]["subscription_details"]["subscription"] == subscription["id"]
    assert invoice["lines"]["data"][0]["period"]["end"] == new_end
    # Stripe quirk: the invoice's own period is the one that just ended.
    assert invoice["period_end"] == old_item["current_period_end"]
    assert invoice["id"] == updated.data_object["latest_invoice"]
    assert (
        StripeLocalGateway()
        .set_subscription_cancel_at_period_end(
            idempotency_key="read", subscription_id=subscription["id"], cancel_at_period_end=False
        )
        .current_period_end
        == new_end
    )

    assert f"{subscription['id']}: active" in output
    assert "sent evt_local_" in output
    assert "invoice.paid" in output


def test_renew_fail_makes_the_subscription_past_due_and_retry_recovers(gateway, delivered):
    subscription = active_membership(gateway)

    with delivered() as sent:
        run("renew", subscription["id"], "--fail")

    assert types(sent) == [
        "customer.subscription.updated",
        "payment_intent.created",
        "charge.failed",
        "payment_intent.payment_failed",
        "invoice.payment_failed",
        "customer.subscription.updated",
    ]
    failed = sent[4].event.data_object
    assert failed["status"] == "open"
    assert failed["attempt_count"] == 1
    assert failed["amount_paid"] == 0
    assert failed["next_payment_attempt"] is not None
    past_due = sent[-1].event
    assert past_due.data_object["status"] == "past_due"
    assert past_due.previous_attributes == {"status": "active"}

    with delivered() as sent:
        run("retry", subscription["id"], "--fail")
    assert types(sent)[-1] == "invoice.payment_failed"
    assert sent[-1].event.data_object["attempt_count"] == 2

    with delivered() as sent:
        run("retry", subscription["id"])
    assert types(sent) == [
        "charge.succeeded",
        "payment_intent.succeeded",
        "invoice.paid",
        "customer.subscription.updated",
    ]
    assert sent[2].event.data_object["id"] == failed["id"]  # the same invoice, now paid
    assert sent[-1].event.previous_attributes == {"status": "past_due"}

    with pytest.raises(CommandError, match="no open invoice"):
        run("retry", subscription["id"])


def test_renew_ends_a_subscription_set_to_cancel(gateway, delivered):
    subscription = active_membership(gateway)
    gateway.set_subscription_cancel_at_period_end(
        idempotency_key="c", subscription_id=subscription["id"], cancel_at_period_end=True
    )
    with delivered() as sent:
        run("renew", subscription["id"])
    assert types(sent) == ["customer.subscription.deleted"]
    ended = sent[0].event.data_object
    assert ended["status"] == "canceled"
    assert ended["ended_at"] == subscription["items"]["data"][0]["current_period_end"]
    with pytest.raises(CommandError):
        run("renew", subscription["id"])


def test_dispute_lost(gateway, delivered):
    intent_id = paid_plain_charge(gateway)
    with delivered() as sent:
        output = run("dispute", intent_id, "--lost")
    assert types(sent) == ["charge.dispute.created", "charge.dispute.closed"]
    opened, closed = (d.event.data_object for d in sent)
    assert opened["status"] == "needs_response"
    assert opened["payment_intent"] == intent_id
    assert opened["amount"] == 6000
    assert closed["status"] == "lost"
    assert closed["id"] == opened["id"]
    assert "lost" in output
    with pytest.raises(CommandError, match="already been disputed"):
        run("dispute", intent_id)


def test_dispute_opened_then_won(gateway, delivered):
    intent_id = paid_plain_charge(gateway)
    with delivered() as sent:
        run("dispute", intent_id)
    assert types(sent) == ["charge.dispute.created"]
    charge = store.get(sent[0].event.data_object["charge"], "charge")
    assert charge["disputed"] is True
    with delivered() as sent:
        run("dispute", intent_id, "--won")
    assert types(sent) == ["charge.dispute.closed"]
    assert sent[0].event.data_object["status"] == "won"


def test_dispute_needs_a_paid_intent(gateway):
    with pytest.raises(CommandError, match="No such payment intent"):
        run("dispute", "pi_local_999999")
    with pytest.raises(CommandError):
        call_command("stripe_local", "dispute", "pi_x", "--won", "--lost", stderr=StringIO())


def test_expire_checkout(gateway, delivered):
    session = gateway.create_checkout_session(idempotency_key="k", request=payment_request())
    with delivered() as sent:
        run("expire-checkout", session.id)
    assert types(sent) == ["checkout.session.expired"]
    assert gateway.retrieve_checkout_session(session.id).status == "expired"
    with pytest.raises(CommandError, match="expired"):
        run("expire-checkout", session.id)


def test_list_and_resend(gateway, delivered):
    with delivered():
        customer = gateway.create_customer(
            idempotency_key="k", email="a@example.com", name="A", metadata={}
        )
    listing = run("list")
    assert customer.id in listing
    assert "email=a@example.com" in listing
    events = run("list", "--type", "event")
    assert "customer.created (delivered)" in events
    event_id = store.find("event")[0]["id"]

    with delivered() as sent:
        output = run("resend", event_id)
    assert f"{event_id} customer.created → platform: delivered" in output
    assert [d.event.id for d in sent] == [event_id]
    assert LocalWebhookDelivery.objects.filter(event_id=event_id).count() == 2
    with pytest.raises(CommandError):
        run("resend", "evt_local_999999")


def test_a_subcommand_is_required():
    with pytest.raises(CommandError):
        call_command("stripe_local", stderr=StringIO())
