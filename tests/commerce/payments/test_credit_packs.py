"""A client buys a credit pack by card through the offline Stripe and sees the credits."""

import pytest

from commerce.credits.models import CreditPack, CreditTransaction
from commerce.credits.selectors import credits_available
from commerce.payments.models import Payment
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client):
    user = UserFactory()
    client.force_login(user)
    client.user = user
    return client


def test_the_packs_page_lists_the_packs_on_sale(client):
    CreditPack.objects.create(name="Hidden", credit_count=2, price=100, is_active=False)
    page = client.get("/credits/buy/")
    assert page.status_code == 200
    assert b"Five credits" in page.content
    assert b"Hidden" not in page.content


def test_buying_a_pack_adds_its_credits_once(signed_in, django_capture_on_commit_callbacks):
    pack = CreditPack.objects.get(name="Five credits")
    with django_capture_on_commit_callbacks(execute=True):
        started = signed_in.post("/credits/buy/checkout/", {"pack": pack.pk})
    assert started.status_code == 303
    with django_capture_on_commit_callbacks(execute=True):
        paid = signed_in.post(started["Location"], {"action": "pay"})
    assert paid.status_code == 302
    statement = signed_in.get(paid["Location"], follow=True)
    assert b"5 credits added" in statement.content

    assert credits_available(user=signed_in.user) == 5
    assert CreditTransaction.objects.filter(kind=CreditTransaction.Kind.PURCHASE).count() == 1
    payment = Payment.objects.get(user=signed_in.user)
    assert (payment.amount, payment.status, payment.source_id) == (
        pack.price,
        Payment.Status.PAID,
        str(pack.pk),
    )
    lot = signed_in.user.credit_accounts.get().lots.get()
    assert (lot.expires_at - payment.paid_at).days in (pack.validity_days - 1, pack.validity_days)


@pytest.mark.parametrize("pack", ["", "abc", "999999", "-1"])
def test_an_unknown_pack_is_a_clear_message(signed_in, pack):
    response = signed_in.post("/credits/buy/checkout/", {"pack": pack}, follow=True)
    assert response.status_code == 200
    assert b"no such credit pack" in response.content
    assert not Payment.objects.exists()


def test_the_api_lists_packs_and_starts_a_checkout(signed_in, client):
    packs = client.get("/api/v1/credit-packs/").json()
    assert [p["name"] for p in packs] == ["Single credit", "Five credits", "Ten credits"]
    response = signed_in.post(
        "/api/v1/credits/checkout/", {"pack": packs[1]["id"]}, content_type="application/json"
    )
    assert response.status_code == 201
    assert "/stripe-local/checkout/" in response.json()["checkout_url"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"pack": 999999}, 400, "invalid_pack"),
        ({"pack": "x"}, 400, "invalid"),
        ({}, 400, "invalid"),
    ],
)
def test_the_api_refuses_bad_packs_with_a_stable_code(signed_in, body, status, code):
    response = signed_in.post("/api/v1/credits/checkout/", body, content_type="application/json")
    assert response.status_code == status
    assert response.json()["code"] == code


def test_anonymous_buyers_get_401(client):
    response = client.post(
        "/api/v1/credits/checkout/", {"pack": 1}, content_type="application/json"
    )
    assert response.status_code == 401
