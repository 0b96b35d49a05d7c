"""Spends limited to lots of some grant kinds (the membership allowance), and the
matching availability read."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from commerce.credits.models import CreditTransaction
from commerce.credits.selectors import credits_available
from commerce.credits.services import credits_refund, credits_spend
from commerce.errors import InsufficientCredits, InvalidRequest
from tests.accounts.factories import UserFactory
from tests.commerce.credits.factories import give_credits, next_source_id
from tests.commerce.credits.invariants import assert_ledger_invariants

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ALLOWANCE = CreditTransaction.Kind.ALLOWANCE
PURCHASE = CreditTransaction.Kind.PURCHASE


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def member():
    user = UserFactory()
    # The purchase expires first, so an unrestricted spend would take it first.
    give_credits(user=user, amount=5, expires_at=NOW + timedelta(days=5))
    give_credits(user=user, amount=3, kind=ALLOWANCE, expires_at=NOW + timedelta(days=20))
    give_credits(user=user, amount=2, kind=ALLOWANCE, expires_at=NOW + timedelta(days=40))
    return user


def _spend(user, amount, **kwargs):
    return credits_spend(
        user=user,
        amount=amount,
        source_type="test-booking",
        source_id=next_source_id("booking"),
        **kwargs,
    )


def _lot_kinds(spend):
    return sorted(
        (entry.lot.grant_transaction.kind, -entry.amount)
        for entry in spend.entries.filter(account__kind="client_wallet").select_related(
            "lot__grant_transaction"
        )
    )


def test_an_allowance_spend_takes_only_allowance_lots_earliest_expiry_first(member):
    spend = _spend(member, 4, grant_kinds=[ALLOWANCE])
    assert _lot_kinds(spend) == [(ALLOWANCE, 1), (ALLOWANCE, 3)]
    assert credits_available(user=member, grant_kinds=[ALLOWANCE]) == 1
    assert credits_available(user=member, grant_kinds=[PURCHASE]) == 5
    assert credits_available(user=member) == 6
    assert_ledger_invariants()


def test_an_allowance_spend_refuses_when_the_allowance_is_short(member):
    with pytest.raises(InsufficientCredits):
        _spend(member, 6, grant_kinds=[ALLOWANCE])
    assert credits_available(user=member) == 10
    assert_ledger_invariants()


def test_expired_allowance_lots_are_not_spendable(member, _frozen_clock):
    _frozen_clock.move_to(NOW + timedelta(days=30))
    assert credits_available(user=member, grant_kinds=[ALLOWANCE]) == 2
    with pytest.raises(InsufficientCredits):
        _spend(member, 3, grant_kinds=[ALLOWANCE])


def test_an_unrestricted_spend_still_takes_every_kind(member):
    spend = _spend(member, 7)
    assert _lot_kinds(spend) == [(ALLOWANCE, 2), (PURCHASE, 5)]


def test_a_refund_goes_back_to_the_allowance_lots(member):
    spend = _spend(member, 5, grant_kinds=[ALLOWANCE])
    credits_refund(spend=spend, amount=2, source_type="test-refund", source_id="r-1")
    assert credits_available(user=member, grant_kinds=[ALLOWANCE]) == 2
    assert credits_available(user=member, grant_kinds=[PURCHASE]) == 5
    assert_ledger_invariants()


def test_a_replayed_allowance_spend_returns_the_same_movement(member):
    first = credits_spend(
        user=member, amount=2, source_type="test-booking", source_id="b-1", grant_kinds=[ALLOWANCE]
    )
    again = credits_spend(
        user=member, amount=2, source_type="test-booking", source_id="b-1", grant_kinds=[ALLOWANCE]
    )
    assert first.pk == again.pk
    assert credits_available(user=member, grant_kinds=[ALLOWANCE]) == 3


@pytest.mark.parametrize("kinds", ["allowance", [], ["spend"], ["nonsense"]])
def test_grant_kinds_must_name_grant_kinds(member, kinds):
    with pytest.raises(InvalidRequest):
        _spend(member, 1, grant_kinds=kinds)
