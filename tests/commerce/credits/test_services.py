"""Every write path of the credits ledger: the movements, their replays and bad input."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import transaction

from commerce.credits import services
from commerce.credits.models import CreditAccount, CreditEntry, CreditLot, CreditTransaction
from commerce.credits.selectors import credits_available, credits_balance
from commerce.credits.services import (
    MAX_CREDITS_PER_MOVEMENT,
    credits_expire_due,
    credits_grant,
    credits_refund,
    credits_reverse_grant,
    credits_spend,
)
from commerce.credits.tasks import expire_due_credits
from commerce.errors import Conflict, InsufficientCredits, InvalidRequest
from tests.accounts.factories import UserFactory
from tests.commerce.credits.factories import give_credits, next_source_id, spend_credits
from tests.commerce.credits.invariants import assert_ledger_invariants

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def user():
    return UserFactory()


def _row_counts() -> tuple[int, int, int, int]:
    return (
        CreditTransaction.objects.count(),
        CreditEntry.objects.count(),
        CreditLot.objects.count(),
        sum(CreditAccount.objects.values_list("balance", flat=True)),
    )


def _wallet_lines(credit_transaction) -> list[tuple[int, int]]:
    """(lot id, amount) of the transaction's wallet entries, in the order written."""
    return list(
        credit_transaction.entries.filter(account__kind=CreditAccount.Kind.CLIENT_WALLET)
        .order_by("pk")
        .values_list("lot_id", "amount")
    )


def _system_balance(kind: str) -> int:
    account = CreditAccount.objects.filter(kind=kind, owner__isnull=True).first()
    return account.balance if account else 0


# --- grant -------------------------------------------------------------------------------


def test_a_grant_creates_a_lot_and_balances_issuance_against_the_wallet(user):
    expires_at = NOW + timedelta(days=90)
    staff = UserFactory()

    grant = credits_grant(
        user=user,
        amount=10,
        kind="purchase",
        source_type="payment",
        source_id="p1",
        expires_at=expires_at,
        memo="10-credit pack",
        created_by=staff,
    )

    lot = grant.lot
    assert (lot.granted, lot.remaining, lot.expires_at) == (10, 10, expires_at)
    assert lot.wallet.owner == user
    assert sorted(grant.entries.values_list("account__kind", "amount")) == [
        ("client_wallet", 10),
        ("issuance", -10),
    ]
    assert (grant.kind, grant.memo, grant.created_by, grant.description) == (
        "purchase",
        "10-credit pack",
        staff,
        "10-credit pack",
    )
    assert credits_balance(user=user) == 10
    assert _system_balance("issuance") == -10
    assert_ledger_invariants()


@pytest.mark.parametrize("kind", ["purchase", "allowance", "partner_grant", "adjustment"])
def test_every_grant_kind_is_accepted(user, kind):
    grant = credits_grant(user=user, amount=1, kind=kind, source_type="t", source_id=kind)

    assert grant.kind == kind


def test_a_replayed_grant_returns_the_recorded_one_and_changes_nothing(user):
    first = give_credits(user=user, amount=5, source_id="evt_1")
    before = _row_counts()

    again = give_credits(user=user, amount=5, source_id="evt_1")

    assert again == first
    assert _row_counts() == before


def test_a_replayed_grant_ignores_a_recomputed_expiry(user):
    first = give_credits(user=user, amount=5, source_id="evt_1", expires_at=NOW + timedelta(1))

    again = give_credits(user=user, amount=5, source_id="evt_1", expires_at=NOW + timedelta(2))

    assert again == first
    assert again.lot.expires_at == NOW + timedelta(1)


@pytest.mark.parametrize(
    "change",
    [{"amount": 6}, {"kind": "allowance"}, {"user": "other"}],
    ids=["amount", "kind", "user"],
)
def test_a_source_reused_for_a_different_grant_is_a_conflict(user, change):
    give_credits(user=user, amount=5, source_id="evt_1")
    before = _row_counts()
    arguments = {"user": user, "amount": 5, "kind": "purchase", **change}
    if arguments["user"] == "other":
        arguments["user"] = UserFactory()

    with pytest.raises(Conflict) as error:
        credits_grant(**arguments, source_type="test-purchase", source_id="evt_1")

    assert error.value.api_status == 409
    assert error.value.api_code == "source_conflict"
    assert _row_counts() == before


def test_a_grant_source_may_be_an_integer_id(user):
    grant = credits_grant(user=user, amount=1, kind="purchase", source_type="payment", source_id=7)

    assert grant.source_id == "7"


def test_a_grant_with_a_past_expiry_is_recorded_but_never_available(user):
    give_credits(user=user, amount=4, expires_at=NOW - timedelta(days=1))

    assert credits_balance(user=user) == 4
    assert credits_available(user=user) == 0
    assert credits_expire_due() == 1
    assert credits_balance(user=user) == 0


BAD_AMOUNTS = [0, -1, 1.5, "3", True, None, MAX_CREDITS_PER_MOVEMENT + 1]


@pytest.mark.parametrize("amount", BAD_AMOUNTS)
def test_a_grant_needs_a_positive_whole_amount(user, amount):
    with pytest.raises(InvalidRequest) as error:
        credits_grant(user=user, amount=amount, kind="purchase", source_type="t", source_id="1")

    assert error.value.api_status == 400
    assert _row_counts() == (0, 0, 0, 0)


@pytest.mark.parametrize(
    "arguments",
    [
        {"kind": "spend"},
        {"kind": "gift"},
        {"source_type": ""},
        {"source_id": "  "},
        {"source_id": None},
        {"source_type": "x" * 65},
        {"source_id": "x" * 256},
        {"memo": "x" * 256},
        {"memo": None},
        {"expires_at": datetime(2027, 1, 1)},  # noqa: DTZ001 - the naive datetime under test
        {"expires_at": "2027-01-01"},
        {"user": None},
        {"created_by": "staff"},
    ],
)
def test_a_grant_refuses_bad_input_and_writes_nothing(user, arguments):
    base = {"user": user, "amount": 3, "kind": "purchase", "source_type": "t", "source_id": "1"}

    with pytest.raises(InvalidRequest):
        credits_grant(**{**base, **arguments})

    assert _row_counts() == (0, 0, 0, 0)
    assert not CreditAccount.objects.exists()


def test_a_grant_for_an_unsaved_user_is_refused():
    from accounts.models import User

    with pytest.raises(InvalidRequest):
        credits_grant(
            user=User(email="x@example.org"),
            amount=1,
            kind="purchase",
            source_type="t",
            source_id="1",
        )


# --- spend -------------------------------------------------------------------------------


def test_spends_take_from_the_earliest_expiring_lot_first_and_never_expiring_lots_last(user):
    later = give_credits(user=user, amount=2, expires_at=NOW + timedelta(days=30)).lot
    never = give_credits(user=user, amount=2).lot
    soon_old = give_credits(user=user, amount=2, expires_at=NOW + timedelta(days=5)).lot
    soon_new = give_credits(user=user, amount=2, expires_at=NOW + timedelta(days=5)).lot

    spend = spend_credits(user=user, amount=7)

    assert _wallet_lines(spend) == [
        (soon_old.pk, -2),
        (soon_new.pk, -2),
        (later.pk, -2),
        (never.pk, -1),
    ]
    spent_lines = sorted(
        spend.entries.filter(account__kind="spent").values_list("lot_id", "amount")
    )
    assert spent_lines == sorted((lot, -amount) for lot, amount in _wallet_lines(spend))
    assert credits_balance(user=user) == 1
    assert _system_balance("spent") == 7
    assert_ledger_invariants()


def test_a_spend_skips_lots_past_their_date(user):
    give_credits(user=user, amount=3, expires_at=NOW + timedelta(hours=1))
    fresh = give_credits(user=user, amount=2).lot

    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        spend = spend_credits(user=user, amount=2)
        with pytest.raises(InsufficientCredits):
            spend_credits(user=user, amount=1)

    assert _wallet_lines(spend) == [(fresh.pk, -2)]


def test_a_lot_expires_at_its_exact_time(user):
    give_credits(user=user, amount=3, expires_at=NOW + timedelta(hours=1))

    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        assert credits_available(user=user) == 0
        with pytest.raises(InsufficientCredits):
            spend_credits(user=user, amount=1)


def test_a_spend_beyond_what_is_available_is_refused_with_402_and_writes_nothing(user):
    give_credits(user=user, amount=2)
    before = _row_counts()

    with pytest.raises(InsufficientCredits) as error:
        spend_credits(user=user, amount=3)

    assert error.value.api_status == 402
    assert error.value.api_code == "insufficient_credits"
    assert "2 available, 3 needed" in error.value.detail
    assert _row_counts() == before
    assert credits_balance(user=user) == 2


def test_a_user_without_a_wallet_has_nothing_to_spend(user):
    with pytest.raises(InsufficientCredits):
        spend_credits(user=user, amount=1)

    assert not CreditAccount.objects.exists()


def test_a_replayed_spend_returns_the_recorded_one_even_when_the_balance_is_gone(user):
    give_credits(user=user, amount=1)
    first = spend_credits(user=user, amount=1, source_id="booking-1")
    before = _row_counts()

    again = spend_credits(user=user, amount=1, source_id="booking-1")

    assert again == first
    assert _row_counts() == before


@pytest.mark.parametrize("change", ["amount", "user", "kind"])
def test_a_source_reused_for_a_different_spend_is_a_conflict(user, change):
    other = UserFactory()
    give_credits(user=user, amount=5)
    give_credits(user=other, amount=5)
    spend_credits(user=user, amount=1, source_id="booking-1")
    give_credits(user=user, amount=1, source_id="booking-2")
    before = _row_counts()

    with pytest.raises(Conflict):
        if change == "amount":
            spend_credits(user=user, amount=2, source_id="booking-1")
        elif change == "user":
            spend_credits(user=other, amount=1, source_id="booking-1")
        else:
            credits_spend(user=user, amount=1, source_type="test-purchase", source_id="booking-2")

    assert _row_counts() == before


@pytest.mark.parametrize("amount", BAD_AMOUNTS)
def test_a_spend_needs_a_positive_whole_amount(user, amount):
    give_credits(user=user, amount=5)
    before = _row_counts()

    with pytest.raises(InvalidRequest):
        credits_spend(user=user, amount=amount, source_type="booking", source_id="1")

    assert _row_counts() == before


@pytest.mark.parametrize(
    "arguments",
    [{"source_type": ""}, {"source_id": ""}, {"memo": 3}, {"user": None}],
)
def test_a_spend_refuses_bad_input(user, arguments):
    give_credits(user=user, amount=5)
    base = {"user": user, "amount": 1, "source_type": "booking", "source_id": "1"}

    with pytest.raises(InvalidRequest):
        credits_spend(**{**base, **arguments})


def test_the_database_constraint_backs_up_the_lock_and_becomes_insufficient_credits(
    user, monkeypatch
):
    """Should the availability check ever be wrong, the check constraints still refuse
    to take a wallet or a lot below zero, and the caller sees 402, not a 500."""
    give_credits(user=user, amount=1)
    before = _row_counts()
    real = services._spendable_lots

    def overstated(**kwargs):
        lots = real(**kwargs)
        for lot in lots:
            lot.remaining += 10
        return lots

    monkeypatch.setattr(services, "_spendable_lots", overstated)

    with pytest.raises(InsufficientCredits):
        spend_credits(user=user, amount=5)

    assert _row_counts() == before
    assert credits_balance(user=user) == 1


def test_a_refused_spend_inside_a_callers_transaction_leaves_it_usable(user):
    give_credits(user=user, amount=1)

    with transaction.atomic():
        with pytest.raises(InsufficientCredits):
            spend_credits(user=user, amount=2)
        spend = spend_credits(user=user, amount=1)

    assert spend.pk is not None
    assert credits_balance(user=user) == 0


# --- refund ------------------------------------------------------------------------------


def test_a_full_refund_returns_credits_to_the_lots_they_came_from(user):
    first = give_credits(user=user, amount=2, expires_at=NOW + timedelta(days=5)).lot
    second = give_credits(user=user, amount=5, expires_at=NOW + timedelta(days=50)).lot
    spend = spend_credits(user=user, amount=4)

    refund = credits_refund(spend=spend, source_type="cancellation", source_id="c1")

    assert refund.kind == "refund"
    assert refund.original == spend
    assert _wallet_lines(refund) == [(second.pk, 2), (first.pk, 2)]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.remaining, second.remaining) == (2, 5)
    assert credits_balance(user=user) == 7
    assert _system_balance("spent") == 0
    assert_ledger_invariants()


def test_a_partial_refund_gives_back_the_most_recently_consumed_lot_first(user):
    first = give_credits(user=user, amount=2, expires_at=NOW + timedelta(days=5)).lot
    second = give_credits(user=user, amount=5, expires_at=NOW + timedelta(days=50)).lot
    spend = spend_credits(user=user, amount=4)

    partial = credits_refund(spend=spend, amount=3, source_type="c", source_id="1")
    rest = credits_refund(spend=spend, source_type="c", source_id="2")

    assert _wallet_lines(partial) == [(second.pk, 2), (first.pk, 1)]
    assert _wallet_lines(rest) == [(first.pk, 1)]
    assert_ledger_invariants()


def test_refunding_more_than_is_left_is_a_conflict_and_writes_nothing(user):
    give_credits(user=user, amount=5)
    spend = spend_credits(user=user, amount=3)
    credits_refund(spend=spend, amount=2, source_type="c", source_id="1")
    before = _row_counts()

    with pytest.raises(Conflict) as error:
        credits_refund(spend=spend, amount=2, source_type="c", source_id="2")

    assert error.value.api_status == 409
    assert "Only 1 credit of this spend" in error.value.detail
    assert _row_counts() == before


def test_refunding_a_fully_refunded_spend_again_is_a_conflict(user):
    give_credits(user=user, amount=5)
    spend = spend_credits(user=user, amount=3)
    credits_refund(spend=spend, source_type="c", source_id="1")

    with pytest.raises(Conflict) as error:
        credits_refund(spend=spend, source_type="c", source_id="2")

    assert error.value.api_code == "refunded"


def test_a_replayed_refund_returns_the_recorded_one_and_changes_nothing(user):
    give_credits(user=user, amount=5)
    spend = spend_credits(user=user, amount=3)
    first = credits_refund(spend=spend, amount=2, source_type="c", source_id="1")
    before = _row_counts()

    assert credits_refund(spend=spend, amount=2, source_type="c", source_id="1") == first
    assert credits_refund(spend=spend, source_type="c", source_id="1") == first
    assert _row_counts() == before


def test_a_refund_source_reused_for_another_amount_or_spend_is_a_conflict(user):
    give_credits(user=user, amount=5)
    spend = spend_credits(user=user, amount=2)
    other_spend = spend_credits(user=user, amount=2)
    credits_refund(spend=spend, amount=1, source_type="c", source_id="1")

    with pytest.raises(Conflict):
        credits_refund(spend=spend, amount=2, source_type="c", source_id="1")
    with pytest.raises(Conflict):
        credits_refund(spend=other_spend, source_type="c", source_id="1")


def test_refunded_credits_keep_their_lots_expiry_and_expire_again_if_it_has_passed(user):
    lot = give_credits(user=user, amount=3, expires_at=NOW + timedelta(hours=1)).lot
    spend = spend_credits(user=user, amount=2)

    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        assert credits_expire_due() == 1
        credits_refund(spend=spend, source_type="c", source_id="1")
        assert credits_balance(user=user) == 2
        assert credits_available(user=user) == 0
        assert credits_expire_due() == 1

    expiries = CreditTransaction.objects.filter(kind="expiry").order_by("pk")
    assert list(expiries.values_list("source_type", "source_id")) == [
        ("lot-expiry", str(lot.pk)),
        ("lot-expiry", f"{lot.pk}.2"),
    ]
    assert credits_balance(user=user) == 0
    assert_ledger_invariants()


def test_credits_refunded_to_a_reversed_lot_stay_taken_back(user):
    grant = give_credits(user=user, amount=5)
    spend = spend_credits(user=user, amount=3)
    credits_reverse_grant(grant=grant, source_type="dispute", source_id="dp_1")

    refund = credits_refund(spend=spend, source_type="c", source_id="1")

    assert _wallet_lines(refund) == []
    assert sorted(refund.entries.values_list("account__kind", "amount")) == [
        ("reversed", 3),
        ("spent", -3),
    ]
    assert credits_balance(user=user) == 0
    assert _system_balance("reversed") == 5
    assert_ledger_invariants()


@pytest.mark.parametrize("spend", [None, "grant", "unsaved", 42])
def test_only_a_recorded_spend_can_be_refunded(user, spend):
    grant = give_credits(user=user, amount=5)
    value = {"grant": grant, "unsaved": CreditTransaction(kind="spend"), None: None}.get(
        spend, spend
    )

    with pytest.raises(InvalidRequest):
        credits_refund(spend=value, source_type="c", source_id="1")


@pytest.mark.parametrize("amount", [0, -2, 1.0, "1", True])
def test_a_refund_amount_must_be_a_positive_whole_number(user, amount):
    give_credits(user=user, amount=5)
    spend = spend_credits(user=user, amount=3)

    with pytest.raises(InvalidRequest):
        credits_refund(spend=spend, amount=amount, source_type="c", source_id="1")


# --- expiry ------------------------------------------------------------------------------


def test_expiry_takes_what_remains_of_each_due_lot_once(user):
    other = UserFactory()
    due = give_credits(user=user, amount=5, expires_at=NOW + timedelta(days=1)).lot
    give_credits(user=user, amount=2, expires_at=NOW + timedelta(days=10))
    give_credits(user=user, amount=1)
    other_due = give_credits(user=other, amount=4, expires_at=NOW + timedelta(days=1)).lot
    spend_credits(user=user, amount=3)

    expired = credits_expire_due(now=NOW + timedelta(days=2))

    assert expired == 2
    due.refresh_from_db()
    other_due.refresh_from_db()
    assert (due.remaining, other_due.remaining) == (0, 0)
    assert credits_balance(user=user) == 3
    assert credits_balance(user=other) == 0
    assert _system_balance("expired") == 2 + 4
    expiry = CreditTransaction.objects.get(source_type="lot-expiry", source_id=str(due.pk))
    assert _wallet_lines(expiry) == [(due.pk, -2)]
    assert credits_expire_due(now=NOW + timedelta(days=2)) == 0
    assert_ledger_invariants()


def test_expiry_leaves_lots_that_are_not_due_or_empty(user):
    lot = give_credits(user=user, amount=2, expires_at=NOW + timedelta(days=1)).lot
    spend_credits(user=user, amount=2)
    give_credits(user=user, amount=2, expires_at=NOW + timedelta(days=3))

    assert credits_expire_due(now=NOW + timedelta(days=2)) == 0
    assert not CreditEntry.objects.filter(lot=lot, transaction__kind="expiry").exists()


def test_expiry_defaults_to_the_current_time(user):
    give_credits(user=user, amount=2, expires_at=NOW + timedelta(minutes=5))

    assert credits_expire_due() == 0
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        assert credits_expire_due() == 1


@pytest.mark.parametrize("now", [datetime(2026, 3, 2), "2026-03-02"])  # noqa: DTZ001
def test_expiry_needs_an_aware_time(now):
    with pytest.raises(InvalidRequest):
        credits_expire_due(now=now)


def test_the_expiry_task_runs_the_service(user):
    give_credits(user=user, amount=2, expires_at=NOW + timedelta(minutes=5))

    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        assert expire_due_credits.delay().get() == 1
        assert expire_due_credits.delay().get() == 0


# --- reversal (refunded or disputed purchase) ------------------------------------------


def test_a_reversal_takes_back_what_remains_of_the_grant_and_no_more(user):
    grant = give_credits(user=user, amount=5)
    give_credits(user=user, amount=4)
    spend_credits(user=user, amount=7)  # 5 from the first lot (older), 2 from the second
    other = give_credits(user=user, amount=3)

    reversal = credits_reverse_grant(grant=other, source_type="dispute", source_id="dp_1")

    assert reversal.kind == "reversal"
    assert reversal.original == other
    assert _wallet_lines(reversal) == [(other.lot.pk, -3)]
    other.lot.refresh_from_db()
    assert other.lot.remaining == 0
    assert other.lot.reversed_at == NOW
    assert credits_balance(user=user) == 2
    grant.lot.refresh_from_db()
    assert grant.lot.reversed_at is None
    assert_ledger_invariants()


def test_a_partly_spent_grant_loses_only_its_remainder(user):
    grant = give_credits(user=user, amount=5)
    spend_credits(user=user, amount=2)

    reversal = credits_reverse_grant(grant=grant, source_type="refund", source_id="re_1")

    assert _wallet_lines(reversal) == [(grant.lot.pk, -3)]
    assert credits_balance(user=user) == 0


def test_reversing_a_fully_used_grant_records_the_source_and_returns_none(user):
    grant = give_credits(user=user, amount=2)
    spend_credits(user=user, amount=2)

    assert credits_reverse_grant(grant=grant, source_type="refund", source_id="re_1") is None

    marker = CreditTransaction.objects.get(source_type="refund", source_id="re_1")
    assert marker.kind == "reversal"
    assert not marker.entries.exists()
    before = _row_counts()
    assert credits_reverse_grant(grant=grant, source_type="refund", source_id="re_1") is None
    assert _row_counts() == before
    assert_ledger_invariants()


def test_a_replayed_reversal_returns_the_recorded_one(user):
    grant = give_credits(user=user, amount=5)
    first = credits_reverse_grant(grant=grant, source_type="dispute", source_id="dp_1")
    before = _row_counts()

    assert credits_reverse_grant(grant=grant, source_type="dispute", source_id="dp_1") == first
    assert _row_counts() == before


def test_a_second_reversal_of_the_same_grant_finds_nothing_left(user):
    grant = give_credits(user=user, amount=5)
    credits_reverse_grant(grant=grant, source_type="refund", source_id="re_1")

    assert credits_reverse_grant(grant=grant, source_type="dispute", source_id="dp_1") is None
    assert credits_balance(user=user) == 0


def test_a_reversal_source_reused_for_another_grant_is_a_conflict(user):
    grant = give_credits(user=user, amount=5)
    other = give_credits(user=user, amount=5)
    credits_reverse_grant(grant=grant, source_type="dispute", source_id="dp_1")

    with pytest.raises(Conflict):
        credits_reverse_grant(grant=other, source_type="dispute", source_id="dp_1")


def test_only_a_recorded_grant_can_be_reversed(user):
    give_credits(user=user, amount=5)
    spend = spend_credits(user=user, amount=1)

    for value in (spend, None, CreditTransaction(kind="purchase"), "grant"):
        with pytest.raises(InvalidRequest):
            credits_reverse_grant(grant=value, source_type="d", source_id=next_source_id())


def test_services_accept_the_lazy_request_user(user):
    from django.utils.functional import SimpleLazyObject

    lazy = SimpleLazyObject(lambda: user)
    give_credits(user=lazy, amount=2)

    spend = credits_spend(user=lazy, amount=1, source_type="booking", source_id="1")

    assert spend.entries.filter(account__owner=user).exists()
