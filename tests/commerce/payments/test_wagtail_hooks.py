"""Staff screens in the Wagtail admin: payments, refunds, disputes, the event log."""

import re

import pytest

from accounts.roles import Role
from commerce.payments.models import Payment, Refund, WebhookEvent
from integrations.stripe.local import StripeLocalGateway, simulator
from tests.accounts.factories import UserFactory, enrol_totp
from tests.commerce.payments.factories import CreditPackPaymentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    user = UserFactory(roles=[Role.STAFF])
    enrol_totp(user)
    client.force_login(user)
    return client


@pytest.fixture
def paid_payment(django_capture_on_commit_callbacks):
    from commerce.payments.services import payment_checkout_create

    StripeLocalGateway.reset()
    payment = payment_checkout_create(
        user=UserFactory(),
        purpose=Payment.Purpose.CREDIT_PACK,
        description="5 credits",
        amount=5000,
        currency="gbp",
        success_url="http://t/",
        cancel_url="http://t/",
        credit_count=5,
    )
    with django_capture_on_commit_callbacks(execute=True):
        simulator.checkout_pay(payment.checkout_session_id)
    payment.refresh_from_db()
    return payment


@pytest.mark.parametrize("url", ["/cms/payments/", "/cms/disputes/", "/cms/stripe_events/"])
def test_staff_see_the_lists(staff_client, url, paid_payment):
    response = staff_client.get(url)
    assert response.status_code == 200


def test_staff_issue_a_partial_refund_with_a_reason(
    staff_client, paid_payment, django_capture_on_commit_callbacks
):
    inspect = staff_client.get(f"/cms/payments/inspect/{paid_payment.pk}/")
    assert b"Refund" in inspect.content
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            f"/cms/payments/{paid_payment.pk}/refund/",
            {"amount": "12.50", "reason": "requested_by_customer", "note": "Late cancel"},
        )
    assert response.status_code == 302
    refund = Refund.objects.get()
    assert (refund.amount, refund.reason, refund.note, refund.status) == (
        1250,
        "requested_by_customer",
        "Late cancel",
        Refund.Status.SUCCEEDED,
    )
    paid_payment.refresh_from_db()
    assert paid_payment.status == Payment.Status.PARTIALLY_REFUNDED


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("abc", "Enter an amount such as £12.50."),
        ("0", "Enter an amount above £0.00."),
        ("-5", "Enter an amount that is not negative."),
        ("12.345", "GBP amounts have at most two decimals."),
        # In pounds, as typed: the old form said "At most 5000" (pence) here.
        ("50.01", "At most £50.00."),
        ("5000", "At most £50.00."),
    ],
)
def test_bad_refund_input_is_explained_in_pounds_and_nothing_is_written(
    staff_client, paid_payment, amount, message
):
    response = staff_client.post(
        f"/cms/payments/{paid_payment.pk}/refund/", {"amount": amount, "reason": "duplicate"}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Refund.objects.exists()


def test_the_refund_screen_speaks_pounds(staff_client, paid_payment):
    page = staff_client.get(f"/cms/payments/{paid_payment.pk}/refund/").content.decode()
    assert "paid £50.00" in page
    assert "Amount (GBP)" in page
    assert "In GBP, e.g. 50.00: at most £50.00." in page


def test_refunds_asked_for_count_and_the_limit_is_said_in_pounds(
    staff_client, paid_payment, django_capture_on_commit_callbacks
):
    Refund.objects.create(payment=paid_payment, amount=1250, reason="duplicate")
    response = staff_client.post(
        f"/cms/payments/{paid_payment.pk}/refund/", {"amount": "40", "reason": "duplicate"}
    )
    assert response.status_code == 200
    assert "At most £37.50 can still be refunded." in response.content.decode()
    assert Refund.objects.count() == 1


def test_a_refund_is_confirmed_and_listed_in_pounds(
    staff_client, paid_payment, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            f"/cms/payments/{paid_payment.pk}/refund/",
            {"amount": "£12.50", "reason": "requested_by_customer"},
            follow=True,
        )
    page = response.content.decode()
    assert "Refund of £12.50 requested." in page
    assert Refund.objects.get().amount == 1250
    listed = staff_client.get(f"/cms/payments/{paid_payment.pk}/refund/").content.decode()
    assert "<li>£12.50 · " in listed
    assert "£12.50 already refunded" in listed


def test_lists_and_inspect_show_money_not_minor_units(staff_client, paid_payment):
    listing = staff_client.get("/cms/payments/").content.decode()
    assert "£50.00" in listing
    assert not re.search(r">\s*5000\s*<", listing)
    assert not re.search(r">\s*gbp\s*<", listing)
    inspect = staff_client.get(f"/cms/payments/inspect/{paid_payment.pk}/").content.decode()
    assert "£50.00" in inspect
    assert not re.search(r">\s*5000\s*<", inspect)


def test_a_yen_payment_is_refunded_in_whole_yen(staff_client, django_capture_on_commit_callbacks):
    payment = CreditPackPaymentFactory(
        amount=6500,
        currency="jpy",
        status=Payment.Status.PAID,
        paid_at="2026-11-20T10:00:00Z",
        payment_intent_id="pi_test_yen",
    )
    url = f"/cms/payments/{payment.pk}/refund/"
    page = staff_client.get(url).content.decode()
    assert "paid ¥6,500" in page
    fraction = staff_client.post(url, {"amount": "12.5", "reason": "duplicate"})
    assert "JPY amounts are whole numbers, without decimals." in fraction.content.decode()
    too_much = staff_client.post(url, {"amount": "6,501", "reason": "duplicate"})
    assert "At most ¥6,500." in too_much.content.decode()
    assert not Refund.objects.exists()
    staff_client.post(url, {"amount": "¥1,200", "reason": "duplicate"})
    assert Refund.objects.get().amount == 1200
    assert "¥6,500" in staff_client.get("/cms/payments/").content.decode()


def test_people_without_the_permission_cannot_refund(client, paid_payment):
    editor = UserFactory(roles=[Role.EDITOR])
    enrol_totp(editor)
    client.force_login(editor)
    response = client.post(
        f"/cms/payments/{paid_payment.pk}/refund/", {"amount": "", "reason": "duplicate"}
    )
    assert response.status_code in (302, 403)
    assert not Refund.objects.exists()


def test_a_failed_event_can_be_processed_again(staff_client, django_capture_on_commit_callbacks):
    event = WebhookEvent.objects.create(
        stripe_id="evt_failed_1",
        endpoint="platform",
        type="account.updated",
        stripe_created="2026-11-25T08:00:00Z",
        status=WebhookEvent.Status.FAILED,
        attempts=1,
        last_error="RuntimeError: boom",
        payload={
            "id": "evt_failed_1",
            "type": "account.updated",
            "created": 1764057600,
            "account": None,
            "livemode": False,
            "api_version": None,
            "data": {"object": {"id": "acct_unknown", "charges_enabled": True}},
        },
    )
    page = staff_client.get(f"/cms/stripe_events/inspect/{event.pk}/")
    assert b"Process again" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(f"/cms/stripe-events/{event.pk}/reprocess/")
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.status, event.attempts) == (WebhookEvent.Status.PROCESSED, 2)


def test_credit_pack_factory_payments_show_in_the_list(staff_client):
    CreditPackPaymentFactory(description="Ten-pack for Clara")
    assert b"Ten-pack for Clara" in staff_client.get("/cms/payments/").content
