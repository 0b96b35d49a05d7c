"""Staff screens in the Wagtail admin: payments, refunds, disputes, the event log."""

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
        ("abc", b"Enter an amount"),
        ("0", b"positive amount"),
        ("12.345", b"two decimals"),
        ("50.01", b"At most"),
    ],
)
def test_bad_refund_input_is_explained_and_nothing_is_written(
    staff_client, paid_payment, amount, message
):
    response = staff_client.post(
        f"/cms/payments/{paid_payment.pk}/refund/", {"amount": amount, "reason": "duplicate"}
    )
    assert response.status_code == 200
    assert message in response.content
    assert not Refund.objects.exists()


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
