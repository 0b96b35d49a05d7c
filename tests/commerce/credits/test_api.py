"""GET /api/v1/credits/."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from rest_framework.test import APIClient

from commerce.credits.services import credits_refund
from tests.accounts.factories import UserFactory
from tests.commerce.credits.factories import give_credits, spend_credits

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
URL = "/api/v1/credits/"


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def user():
    return UserFactory()


def test_anonymous_callers_get_401(api):
    response = api.get(URL)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_balance_available_next_expiry_and_entries(api, user):
    grant = give_credits(user=user, amount=5, expires_at=NOW + timedelta(days=30))
    spend = spend_credits(user=user, amount=2)
    credits_refund(spend=spend, amount=1, source_type="cancellation", source_id="c1")
    give_credits(user=UserFactory(), amount=9)
    api.force_authenticate(user)

    response = api.get(URL)

    assert response.status_code == 200
    body = response.json()
    assert body["balance"] == 4
    assert body["available"] == 4
    assert body["next_expiry"] == {"amount": 4, "expires_at": "2026-03-31T12:00:00Z"}
    assert body["count"] == 3
    assert body["next"] is None and body["previous"] is None
    assert [(e["kind"], e["amount"]) for e in body["entries"]] == [
        ("refund", 1),
        ("spend", -2),
        ("purchase", 5),
    ]
    purchase = body["entries"][-1]
    assert purchase == {
        "id": purchase["id"],
        "transaction_id": grant.pk,
        "created_at": "2026-03-01T12:00:00Z",
        "kind": "purchase",
        "description": "Credit pack bought",
        "amount": 5,
        "lot_id": grant.lot.pk,
        "lot_expires_at": "2026-03-31T12:00:00Z",
    }


def test_an_empty_wallet(api, user):
    api.force_authenticate(user)

    body = api.get(URL).json()

    assert body == {
        "balance": 0,
        "available": 0,
        "next_expiry": None,
        "count": 0,
        "next": None,
        "previous": None,
        "entries": [],
    }


def test_entries_are_paginated_with_limit_and_offset(api, user):
    for _ in range(5):
        give_credits(user=user, amount=1)
    api.force_authenticate(user)

    first = api.get(URL, {"limit": 2}).json()
    last = api.get(URL, {"limit": 2, "offset": 4}).json()

    assert first["count"] == 5
    assert len(first["entries"]) == 2
    assert "limit=2" in first["next"] and "offset=2" in first["next"]
    assert len(last["entries"]) == 1
    assert last["next"] is None
    assert last["previous"] is not None


@pytest.mark.parametrize(
    "query", [{"limit": "abc"}, {"limit": "-5"}, {"offset": "x"}, {"offset": "-1"}, {"limit": "0"}]
)
def test_bad_paging_values_are_refused_not_replaced(api, user, query):
    # One strict pagination for every list (decision 0022): a bad page is a 400, never
    # silently swapped for the defaults.
    give_credits(user=user, amount=1)
    api.force_authenticate(user)

    response = api.get(URL, query)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_pagination"


@pytest.mark.parametrize("limit", ["201", "100000", "99999999999999999999"])
def test_a_limit_past_the_maximum_is_refused(api, user, limit):
    api.force_authenticate(user)

    response = api.get(URL, {"limit": limit})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_pagination"


def test_the_largest_limit_is_accepted(api, user):
    api.force_authenticate(user)

    assert api.get(URL, {"limit": "200"}).status_code == 200


def test_writes_are_not_allowed(api, user):
    api.force_authenticate(user)

    assert api.post(URL, {"amount": 5}, format="json").status_code == 405


def test_the_endpoint_is_in_the_schema(api, user):
    api.force_authenticate(user)

    schema = api.get("/api/v1/schema/", {"format": "json"}).json()

    operation = schema["paths"]["/api/v1/credits/"]["get"]
    assert "200" in operation["responses"]
    assert {p["name"] for p in operation.get("parameters", [])} >= {"limit", "offset"}
