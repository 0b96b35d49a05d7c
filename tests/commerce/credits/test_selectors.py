"""Reads of the ledger: available credits, next expiry and the statement."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser

from commerce.credits.selectors import (
    NextExpiry,
    credits_available,
    credits_balance,
    credits_lots,
    credits_next_expiry,
    credits_statement,
    credits_wallet_for,
)
from commerce.credits.services import credits_expire_due, credits_refund
from tests.accounts.factories import UserFactory
from tests.commerce.credits.factories import give_credits, spend_credits

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def test_nothing_for_someone_without_a_wallet():
    user = UserFactory()

    assert credits_wallet_for(user=user) is None
    assert credits_balance(user=user) == 0
    assert credits_available(user=user) == 0
    assert credits_next_expiry(user=user) is None
    assert list(credits_statement(user=user)) == []
    assert list(credits_lots(user=user)) == []


def test_anonymous_visitors_have_nothing():
    anonymous = AnonymousUser()

    assert credits_wallet_for(user=anonymous) is None
    assert credits_available(user=anonymous) == 0
    assert credits_next_expiry(user=anonymous) is None


def test_available_counts_only_lots_that_have_not_expired():
    user = UserFactory()
    give_credits(user=user, amount=3, expires_at=NOW + timedelta(days=1))
    give_credits(user=user, amount=4, expires_at=NOW + timedelta(days=5))
    give_credits(user=user, amount=2)

    assert credits_available(user=user) == 9
    assert credits_available(user=user, now=NOW + timedelta(days=2)) == 6
    assert credits_available(user=user, now=NOW + timedelta(days=6)) == 2
    assert credits_balance(user=user) == 9


def test_next_expiry_sums_the_lots_expiring_first():
    user = UserFactory()
    first = NOW + timedelta(days=3)
    give_credits(user=user, amount=3, expires_at=first)
    give_credits(user=user, amount=2, expires_at=first)
    give_credits(user=user, amount=4, expires_at=NOW + timedelta(days=9))
    give_credits(user=user, amount=1)

    assert credits_next_expiry(user=user) == NextExpiry(amount=5, expires_at=first)
    spend_credits(user=user, amount=4)
    assert credits_next_expiry(user=user) == NextExpiry(amount=1, expires_at=first)
    assert credits_next_expiry(user=user, now=first) == NextExpiry(
        amount=4, expires_at=NOW + timedelta(days=9)
    )


def test_no_next_expiry_when_nothing_expires():
    user = UserFactory()
    give_credits(user=user, amount=2)

    assert credits_next_expiry(user=user) is None


def test_the_statement_lists_every_wallet_entry_newest_first():
    user = UserFactory()
    other = UserFactory()
    give_credits(user=other, amount=9)
    give_credits(user=user, amount=2, expires_at=NOW + timedelta(days=1))
    give_credits(user=user, amount=3)
    spend = spend_credits(user=user, amount=4)
    credits_refund(spend=spend, amount=1, source_type="c", source_id="1")
    credits_expire_due(now=NOW + timedelta(days=2))

    statement = list(credits_statement(user=user))

    assert [(entry.transaction.kind, entry.amount) for entry in statement] == [
        ("refund", 1),
        ("spend", -2),
        ("spend", -2),
        ("purchase", 3),
        ("purchase", 2),
    ]
    assert all(entry.account.owner_id == user.pk for entry in statement)


def test_the_statement_reads_transactions_and_lots_in_one_query(django_assert_num_queries):
    user = UserFactory()
    for _ in range(5):
        give_credits(user=user, amount=2, expires_at=NOW + timedelta(days=1))
    spend_credits(user=user, amount=7)

    with django_assert_num_queries(1):
        rows = [
            (entry.transaction.kind, entry.transaction.description, entry.lot.expires_at)
            for entry in credits_statement(user=user)
        ]

    assert len(rows) == 9


def test_lots_are_listed_soonest_expiry_first():
    user = UserFactory()
    never = give_credits(user=user, amount=1).lot
    later = give_credits(user=user, amount=1, expires_at=NOW + timedelta(days=9)).lot
    soon = give_credits(user=user, amount=1, expires_at=NOW + timedelta(days=1)).lot

    assert list(credits_lots(user=user)) == [soon, later, never]
