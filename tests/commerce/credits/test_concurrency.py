"""Real threads, each on its own database connection, racing for the same wallet or the
same source. PostgreSQL serializes them on the wallet's row lock and the source's unique
index; SQLite on its IMMEDIATE write transactions (busy timeout 20 s)."""

import threading
from collections import Counter

import pytest
from django.db import connection

from commerce.credits.models import CreditLot, CreditTransaction
from commerce.credits.selectors import credits_available, credits_balance
from commerce.credits.services import credits_grant, credits_spend
from commerce.errors import InsufficientCredits
from tests.accounts.factories import UserFactory
from tests.commerce.credits.factories import give_credits
from tests.commerce.credits.invariants import assert_ledger_invariants

THREADS = 20

pytestmark = pytest.mark.django_db(transaction=True)


def _race(count: int, work) -> Counter:
    """Runs `work(index)` in `count` threads released together; returns what each
    returned or the name of what it raised."""
    barrier = threading.Barrier(count)
    outcomes: Counter = Counter()
    lock = threading.Lock()

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            outcome = work(index)
        except Exception as error:
            outcome = type(error).__name__ + (f": {error}" if "locked" in str(error) else "")
        finally:
            connection.close()
        with lock:
            outcomes[outcome] += 1

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def test_twenty_spends_against_one_credit_exactly_one_succeeds(committing_db):
    user = UserFactory()
    give_credits(user=user, amount=1)

    def spend(index: int) -> str:
        credits_spend(user=user, amount=1, source_type="booking", source_id=f"b{index}")
        return "spent"

    outcomes = _race(THREADS, spend)

    assert outcomes == {"spent": 1, InsufficientCredits.__name__: THREADS - 1}
    assert credits_balance(user=user) == 0
    assert credits_available(user=user) == 0
    assert CreditTransaction.objects.filter(kind="spend").count() == 1
    assert_ledger_invariants()


def test_concurrent_spends_never_overdraw_a_wallet(committing_db):
    user = UserFactory()
    give_credits(user=user, amount=3)
    give_credits(user=user, amount=4)

    def spend(index: int) -> str:
        credits_spend(user=user, amount=2, source_type="booking", source_id=f"b{index}")
        return "spent"

    outcomes = _race(THREADS, spend)

    assert outcomes == {"spent": 3, InsufficientCredits.__name__: THREADS - 3}
    assert credits_balance(user=user) == 1
    assert sum(CreditLot.objects.values_list("remaining", flat=True)) == 1
    assert_ledger_invariants()


def test_ten_concurrent_replays_of_one_grant_record_one_transaction(committing_db):
    user = UserFactory()

    def grant(index: int) -> int:
        return credits_grant(
            user=user, amount=5, kind="purchase", source_type="payment", source_id="pay_1"
        ).pk

    outcomes = _race(10, grant)

    assert len(outcomes) == 1, outcomes
    (grant_id,) = outcomes
    assert isinstance(grant_id, int)
    assert outcomes[grant_id] == 10
    assert CreditTransaction.objects.count() == 1
    assert credits_balance(user=user) == 5
    assert_ledger_invariants()


def test_concurrent_first_grants_to_many_users_share_the_system_accounts(committing_db):
    users = [UserFactory() for _ in range(10)]

    def grant(index: int) -> str:
        credits_grant(
            user=users[index], amount=2, kind="allowance", source_type="inv", source_id=str(index)
        )
        return "granted"

    outcomes = _race(10, grant)

    assert outcomes == {"granted": 10}
    assert all(credits_balance(user=user) == 2 for user in users)
    assert_ledger_invariants()


def test_twenty_replays_of_one_spend_take_the_credits_once(committing_db):
    user = UserFactory()
    give_credits(user=user, amount=5)

    def spend(index: int) -> int:
        return credits_spend(user=user, amount=2, source_type="booking", source_id="b1").pk

    outcomes = _race(THREADS, spend)

    assert len(outcomes) == 1, outcomes
    assert credits_balance(user=user) == 3
    assert CreditTransaction.objects.filter(kind="spend").count() == 1
