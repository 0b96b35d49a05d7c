"""Buying an item with credits, from its page (POST with CSRF) and over the API."""

import threading

import pytest
from django.test import Client
from rest_framework.test import APIClient

from cms.library.entitlements import CREDITS_SOURCE_TYPE
from cms.library.models import ContentPurchase
from commerce.credits.models import CreditTransaction
from commerce.credits.selectors import credits_available
from tests.accounts.factories import UserFactory
from tests.cms.library.factories import LibraryItemFactory, make_member
from tests.commerce.credits.factories import give_credits

SECRET = "bodyonlyforbuyers"


def _item(price=4, **fields):
    return LibraryItemFactory(
        access_level="credits",
        credit_price=price,
        body=[{"type": "rich_text", "value": f"<p>{SECRET}</p>"}],
        **fields,
    )


@pytest.mark.django_db
class TestFromThePage:
    def test_the_page_offers_to_buy_with_the_balance_shown(self, client):
        user = UserFactory()
        give_credits(user=user, amount=10)
        item = _item()
        client.force_login(user)

        content = client.get(item.url).content.decode()

        assert "Buy for 4 credits" in content
        assert "You have 10 credits" in content
        assert f'action="{item.url}buy/"' in content
        assert SECRET not in content

    def test_buying_opens_the_item_and_spends_once(self, client):
        user = UserFactory()
        give_credits(user=user, amount=10)
        item = _item()
        client.force_login(user)

        response = client.post(f"{item.url}buy/", follow=True)
        again = client.post(f"{item.url}buy/", follow=True)

        assert response.redirect_chain == [(item.url, 303)]
        assert SECRET in response.content.decode()
        assert SECRET in again.content.decode()
        assert credits_available(user=user) == 6
        assert ContentPurchase.objects.filter(user=user, page=item).count() == 1

    def test_short_of_credits_the_page_links_to_buying_credits(self, client):
        user = UserFactory()
        give_credits(user=user, amount=3)
        item = _item()
        client.force_login(user)

        page = client.get(item.url).content.decode()
        response = client.post(f"{item.url}buy/", follow=True)

        assert 'href="/credits/buy/"' in page and "you have 3" in page
        assert "not have enough credits" in response.content.decode()
        assert SECRET not in response.content.decode()
        assert credits_available(user=user) == 3
        assert not ContentPurchase.objects.exists()

    def test_the_form_needs_its_csrf_token(self):
        user = UserFactory()
        give_credits(user=user, amount=10)
        item = _item()
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)

        assert client.post(f"{item.url}buy/").status_code == 403
        assert not ContentPurchase.objects.exists()

    def test_one_credit_is_written_in_the_singular(self, client):
        user = UserFactory()
        give_credits(user=user, amount=1)
        item = _item(price=1)
        client.force_login(user)

        content = client.get(item.url).content.decode()
        listing = client.get(item.get_parent().url).content.decode()

        assert "for 1 credit" in content and "1 credits" not in content
        assert "You have 1 credit." in content
        assert "1 credit" in listing and "1 credits" not in listing

    def test_anonymous_buyers_are_sent_to_sign_in(self, client):
        item = _item()
        response = client.post(f"{item.url}buy/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")

    def test_items_not_sold_for_credits_cannot_be_bought(self, client):
        user = UserFactory()
        give_credits(user=user, amount=10)
        item = LibraryItemFactory(access_level="premium")
        client.force_login(user)

        client.post(f"{item.url}buy/")

        assert not ContentPurchase.objects.exists()
        assert credits_available(user=user) == 10


@pytest.mark.django_db
class TestOverTheApi:
    @pytest.fixture
    def api(self):
        return APIClient()

    def test_buy_then_buy_again(self, api):
        user = UserFactory()
        give_credits(user=user, amount=10)
        item = _item()
        api.force_authenticate(user)

        first = api.post(f"/api/v1/library/{item.pk}/purchase/")
        second = api.post(f"/api/v1/library/{item.pk}/purchase/")

        assert first.status_code == 201
        assert second.status_code == 200
        assert first.json()["credits_spent"] == 4
        assert first.json()["item"]["locked"] is False
        assert SECRET in str(first.json()["item"]["body"])
        assert credits_available(user=user) == 6

    def test_not_enough_credits_is_402(self, api):
        user = UserFactory()
        give_credits(user=user, amount=1)
        item = _item()
        api.force_authenticate(user)

        response = api.post(f"/api/v1/library/{item.pk}/purchase/")

        assert response.status_code == 402
        assert response.json()["code"] == "insufficient_credits"
        assert not ContentPurchase.objects.exists()

    def test_errors(self, api):
        item = _item()
        premium = LibraryItemFactory(access_level="premium")
        draft = _item(live=False)

        assert api.post(f"/api/v1/library/{item.pk}/purchase/").status_code == 401
        api.force_authenticate(UserFactory())
        for item_id in (draft.pk, 999999, 2**31, 2**70):
            response = api.post(f"/api/v1/library/{item_id}/purchase/")
            assert response.status_code == 404
            assert response.json()["code"] == "not_found"
        response = api.post(f"/api/v1/library/{premium.pk}/purchase/")
        assert response.status_code == 409
        assert response.json()["code"] == "not_for_sale"

    def test_a_premium_member_is_not_charged_for_what_premium_includes(self, api):
        """Premium promises every library item: a credits-priced item is open to them,
        and asking to buy it spends nothing (409 already_included)."""
        user = UserFactory()
        make_member(user, level="premium")
        give_credits(user=user, amount=10)
        item = _item()
        api.force_authenticate(user)

        detail = api.get(f"/api/v1/library/{item.pk}/").json()
        response = api.post(f"/api/v1/library/{item.pk}/purchase/")

        assert detail["locked"] is False
        assert SECRET in str(detail["body"])
        assert response.status_code == 409
        assert response.json()["code"] == "already_included"
        assert not ContentPurchase.objects.exists()
        assert credits_available(user=user) == 10


def _race(count, work):
    barrier = threading.Barrier(count)
    outcomes, lock = [], threading.Lock()

    def run():
        from django.db import connection

        try:
            barrier.wait(timeout=30)
            outcome = work()
        except Exception as error:  # noqa: BLE001 (the outcome is what the test checks)
            outcome = type(error).__name__
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_parallel_purchases_make_one_purchase_and_one_spend(committing_db):
    user = UserFactory()
    give_credits(user=user, amount=10)
    item = _item(price=4)

    def buy():
        client = APIClient()
        client.force_authenticate(user)
        return client.post(f"/api/v1/library/{item.pk}/purchase/").status_code

    outcomes = _race(6, buy)

    assert sorted(outcomes) == [200] * 5 + [201]
    assert ContentPurchase.objects.filter(user=user, page=item).count() == 1
    assert CreditTransaction.objects.filter(source_type=CREDITS_SOURCE_TYPE).count() == 1
    assert credits_available(user=user) == 6
