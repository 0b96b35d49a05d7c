"""Property test: any sequence of purchases, spends, refunds, expiries, disputes and
replays keeps the ledger's invariants (tests/commerce/credits/invariants.py), and each
step does what it promises to the client's balance."""

import itertools
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from commerce.credits.models import CreditAccount, CreditEntry, CreditLot, CreditTransaction
from commerce.credits.selectors import credits_available, credits_balance
from commerce.credits.services import (
    credits_expire_due,
    credits_grant,
    credits_refund,
    credits_reverse_grant,
    credits_spend,
)
from commerce.errors import Conflict, InsufficientCredits, InvalidRequest
from tests.accounts.factories import UserFactory
from tests.commerce.credits.invariants import assert_ledger_invariants

START = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
_sources = itertools.count(1)

AMOUNTS = st.integers(min_value=1, max_value=8)
EXPIRY_HOURS = st.none() | st.integers(min_value=1, max_value=24 * 5)
GRANT_KINDS = st.sampled_from(["purchase", "allowance", "partner_grant", "adjustment"])


def _source() -> str:
    return f"sm-{next(_sources)}"


def _rows() -> tuple[int, int]:
    return CreditTransaction.objects.count(), CreditEntry.objects.count()


def _system_balance(kind: str) -> int:
    account = CreditAccount.objects.filter(kind=kind, owner__isnull=True).first()
    return account.balance if account else 0


class LedgerMachine(RuleBasedStateMachine):
    """One client's wallet (a fresh one per example, rolled back afterwards) and a clock
    that only moves forward.

    Grants and spends are kept in plain lists rather than bundles: Hypothesis tries rules
    in a fixed order (untargeted, fewest arguments, then by name) and leans towards the
    first, and this keeps the first one a spend."""

    def __init__(self):
        super().__init__()
        # Each example runs in its own savepoint and leaves nothing behind.
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self._clock = time_machine.travel(START, tick=False)
        self._traveller = self._clock.start()
        self.now = START
        self.user = UserFactory()
        self.grants: list[CreditTransaction] = []  # not yet reversed
        self.spends: list[CreditTransaction] = []
        self.refunded: dict[int, int] = {}  # spend id -> credits refunded so far
        self.spent: dict[int, int] = {}  # spend id -> credits spent
        self.replayable: list[tuple] = []  # (service, arguments, recorded result)

    def teardown(self):
        self._clock.stop()
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def _balance(self) -> int:
        return credits_balance(user=self.user)

    # --- rules -----------------------------------------------------------------------------

    @initialize(amount=AMOUNTS, expires_in_hours=EXPIRY_HOURS)
    def first_purchase(self, amount, expires_in_hours):
        self.purchase(amount, expires_in_hours, "purchase")

    @rule(amount=AMOUNTS, expires_in_hours=EXPIRY_HOURS, kind=GRANT_KINDS)
    def purchase(self, amount, expires_in_hours, kind):
        before = self._balance()
        arguments = {
            "user": self.user,
            "amount": amount,
            "kind": kind,
            "source_type": "sm-grant",
            "source_id": _source(),
            "expires_at": (
                None if expires_in_hours is None else self.now + timedelta(hours=expires_in_hours)
            ),
        }
        grant = credits_grant(**arguments)
        assert self._balance() == before + amount
        assert grant.lot.remaining == amount
        self.grants.append(grant)
        self.replayable.append((credits_grant, arguments, grant))
        event("purchase", "with expiry" if expires_in_hours else "without expiry")

    @rule(amount=AMOUNTS)
    def book_session(self, amount):
        """Spend credits on a booking."""
        available = credits_available(user=self.user)
        before_balance, before_rows = self._balance(), _rows()
        arguments = {
            "user": self.user,
            "amount": amount,
            "source_type": "sm-booking",
            "source_id": _source(),
        }
        if available < amount:
            with pytest.raises(InsufficientCredits):
                credits_spend(**arguments)
            assert (self._balance(), _rows()) == (before_balance, before_rows)
            event("spend", "insufficient")
            return
        spend = credits_spend(**arguments)
        assert self._balance() == before_balance - amount
        assert credits_available(user=self.user) == available - amount
        self.spends.append(spend)
        self.spent[spend.pk] = amount
        self.refunded[spend.pk] = 0
        self.replayable.append((credits_spend, arguments, spend))
        event("spend", "taken")

    @precondition(lambda self: self.spends)
    @rule(data=st.data(), amount=st.none() | AMOUNTS)
    def cancel_booking(self, data, amount):
        """Refund some or all of a spend."""
        spend = data.draw(st.sampled_from(self.spends), label="spend")
        refundable = self.spent[spend.pk] - self.refunded[spend.pk]
        before_balance, before_rows = self._balance(), _rows()
        before_reversed = _system_balance("reversed")
        arguments = {
            "spend": spend,
            "amount": amount,
            "source_type": "sm-cancellation",
            "source_id": _source(),
        }
        if (amount is None and refundable == 0) or (amount or 0) > refundable:
            with pytest.raises(Conflict):
                credits_refund(**arguments)
            assert (self._balance(), _rows()) == (before_balance, before_rows)
            event("refund", "conflict")
            return
        refund = credits_refund(**arguments)
        given = refundable if amount is None else amount
        # Everything comes back: to the wallet, or (from reversed grants) to the reversed account.
        to_wallet = self._balance() - before_balance
        to_reversed = _system_balance("reversed") - before_reversed
        assert to_wallet >= 0 and to_reversed >= 0
        assert to_wallet + to_reversed == given
        event("refund", "to a reversed lot" if to_reversed else "to the wallet")
        self.refunded[spend.pk] += given
        self.replayable.append((credits_refund, arguments, refund))

    @rule(hours=st.sampled_from([1, 12, 24, 48, 96]) | st.integers(min_value=0, max_value=24 * 6))
    def expire_after(self, hours):
        """Move the clock on and run the expiry task."""
        self.now += timedelta(hours=hours)
        self._traveller.move_to(self.now)
        due = CreditLot.objects.filter(
            wallet__owner=self.user, remaining__gt=0, expires_at__lte=self.now
        )
        due_remaining = sum(due.values_list("remaining", flat=True))
        due_count = due.count()
        before = self._balance()

        assert credits_expire_due(now=self.now) == due_count
        event("expire", f"{min(due_count, 2)} lots due")
        assert self._balance() == before - due_remaining
        assert not due.exists()
        assert credits_expire_due(now=self.now) == 0

    @precondition(lambda self: self.grants)
    @rule(data=st.data(), memo=st.sampled_from(["Refunded", "Disputed"]))
    def dispute(self, data, memo):
        """A purchase refunded or disputed: each grant once here (reversing again, and
        replays, are covered by the replay rule and the service tests)."""
        grant = data.draw(st.sampled_from(self.grants), label="grant")
        self.grants.remove(grant)
        lot = CreditLot.objects.get(pk=grant.lot.pk)
        before = self._balance()
        arguments = {
            "grant": grant,
            "source_type": "sm-dispute",
            "source_id": _source(),
            "memo": memo,
        }

        reversal = credits_reverse_grant(**arguments)

        assert (reversal is None) == (lot.remaining == 0)
        event("dispute", "nothing left" if reversal is None else "took back the remainder")
        assert self._balance() == before - lot.remaining
        lot.refresh_from_db()
        assert lot.remaining == 0
        assert lot.reversed_at is not None
        self.replayable.append((credits_reverse_grant, arguments, reversal))

    @precondition(lambda self: self.replayable)
    @rule(data=st.data())
    def replay(self, data):
        """Deliver a movement's source again (a webhook retried, a double click)."""
        service, arguments, recorded = data.draw(st.sampled_from(self.replayable), label="call")
        before = (self._balance(), _rows())

        assert service(**arguments) == recorded
        event("replay", service.__name__)

        assert (self._balance(), _rows()) == before

    @rule(
        amount=st.sampled_from([0, -3, 2.5, "4", None, True]),
        service=st.sampled_from(["grant", "spend"]),
    )
    def bad_input(self, amount, service):
        before = (self._balance(), _rows())
        with pytest.raises(InvalidRequest):
            if service == "grant":
                credits_grant(
                    user=self.user, amount=amount, kind="purchase", source_type="x", source_id="y"
                )
            else:
                credits_spend(user=self.user, amount=amount, source_type="x", source_id="y")
        assert (self._balance(), _rows()) == before

    # --- invariants ------------------------------------------------------------------------

    @invariant()
    def ledger_holds(self):
        assert_ledger_invariants()
        available = credits_available(user=self.user)
        assert 0 <= available <= self._balance()


@pytest.mark.django_db
def test_the_ledger_keeps_its_invariants_under_any_sequence_of_movements():
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=50,
            stateful_step_count=30,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
