"""The ledger's tables refuse what must never happen, whatever the client."""

import pytest
from django.db import IntegrityError, connection, transaction

from commerce.credits.models import (
    CreditAccount,
    CreditEntry,
    CreditLot,
    CreditTransaction,
    LedgerIsAppendOnly,
)
from tests.accounts.factories import UserFactory
from tests.commerce.credits.factories import WalletFactory, give_credits

pytestmark = pytest.mark.django_db


def _refused():
    """The database refuses the statement; the savepoint keeps the test's transaction usable."""
    return pytest.raises(IntegrityError)


# --- append-only ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE credits_creditentry SET amount = amount + 1",
        "DELETE FROM credits_creditentry",
        "UPDATE credits_credittransaction SET memo = 'changed'",
        "DELETE FROM credits_credittransaction",
    ],
)
def test_the_database_refuses_raw_updates_and_deletes_of_the_ledger(statement):
    give_credits(user=UserFactory(), amount=5)

    with _refused(), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)

    assert CreditEntry.objects.count() == 2
    assert not CreditTransaction.objects.filter(memo="changed").exists()


def test_saving_an_existing_entry_or_transaction_is_refused():
    grant = give_credits(user=UserFactory(), amount=5)
    entry = grant.entries.first()

    entry.amount = 500
    with pytest.raises(LedgerIsAppendOnly):
        entry.save()
    grant.memo = "changed"
    with pytest.raises(LedgerIsAppendOnly):
        grant.save()

    entry.refresh_from_db()
    assert entry.amount in (5, -5)


def test_deleting_entries_or_transactions_is_refused():
    grant = give_credits(user=UserFactory(), amount=5)

    with pytest.raises(LedgerIsAppendOnly):
        grant.entries.first().delete()
    with pytest.raises(LedgerIsAppendOnly):
        grant.delete()
    with pytest.raises(LedgerIsAppendOnly):
        CreditEntry.objects.all().delete()
    with pytest.raises(LedgerIsAppendOnly):
        CreditTransaction.objects.filter(pk=grant.pk).update(memo="changed")

    assert CreditEntry.objects.count() == 2


def test_a_user_with_a_ledger_cannot_be_deleted():
    user = UserFactory()
    give_credits(user=user, amount=1)

    with pytest.raises(Exception, match="protected"), transaction.atomic():
        user.delete()


# --- check and unique constraints --------------------------------------------------------


def test_a_client_wallet_cannot_go_below_zero():
    wallet = WalletFactory()

    with _refused(), transaction.atomic():
        CreditAccount.objects.filter(pk=wallet.pk).update(balance=-1)


def test_system_accounts_may_be_negative():
    issuance = CreditAccount.objects.create(kind=CreditAccount.Kind.ISSUANCE, balance=-10)

    assert issuance.balance == -10


def test_one_wallet_per_owner():
    wallet = WalletFactory()

    with _refused(), transaction.atomic():
        CreditAccount.objects.create(owner=wallet.owner, kind=CreditAccount.Kind.CLIENT_WALLET)


def test_one_system_account_per_kind():
    CreditAccount.objects.create(kind=CreditAccount.Kind.SPENT)

    with _refused(), transaction.atomic():
        CreditAccount.objects.create(kind=CreditAccount.Kind.SPENT)


def test_wallets_have_owners_and_system_accounts_do_not():
    with _refused(), transaction.atomic():
        CreditAccount.objects.create(kind=CreditAccount.Kind.CLIENT_WALLET)
    with _refused(), transaction.atomic():
        CreditAccount.objects.create(owner=UserFactory(), kind=CreditAccount.Kind.EXPIRED)


def test_a_source_records_one_transaction():
    CreditTransaction.objects.create(kind="purchase", source_type="stripe-event", source_id="e1")

    with _refused(), transaction.atomic():
        CreditTransaction.objects.create(kind="spend", source_type="stripe-event", source_id="e1")


def test_a_transaction_needs_a_source():
    with _refused(), transaction.atomic():
        CreditTransaction.objects.create(kind="purchase", source_type="", source_id="e1")


def test_entries_are_never_zero():
    grant = give_credits(user=UserFactory(), amount=5)

    with _refused(), transaction.atomic():
        CreditEntry.objects.create(transaction=grant, account=grant.lot.wallet, amount=0)


@pytest.mark.parametrize(("granted", "remaining"), [(0, 0), (5, 6), (5, -1)])
def test_a_lot_holds_between_nothing_and_what_was_granted(granted, remaining):
    grant = CreditTransaction.objects.create(kind="purchase", source_type="t", source_id="lot")

    with pytest.raises(IntegrityError), transaction.atomic():
        CreditLot.objects.create(
            wallet=WalletFactory(), grant_transaction=grant, granted=granted, remaining=remaining
        )


def test_descriptions_and_names():
    user = UserFactory(email="ada@example.org")
    grant = give_credits(user=user, amount=3)
    lot = grant.lot
    entry = grant.entries.get(account__kind=CreditAccount.Kind.CLIENT_WALLET)

    assert grant.description == "Credit pack bought"
    assert str(lot.wallet) == "Credit wallet of ada@example.org"
    assert str(CreditAccount.objects.get(kind="issuance")) == "Issuance (system)"
    assert str(lot) == f"Lot #{lot.pk}: 3/3"
    assert str(entry).startswith("+3 on Credit wallet of ada@example.org")
    assert str(grant).startswith("Credit pack purchase #")
