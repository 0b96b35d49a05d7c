"""The ledger's invariants, checked from the rows themselves (a handful of queries,
whatever the size of the ledger)."""

from django.db.models import F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from commerce.credits.models import CreditAccount, CreditEntry, CreditLot, CreditTransaction

WALLET = CreditAccount.Kind.CLIENT_WALLET


def _total(queryset, group_field: str, amount_field: str):
    return Coalesce(
        Subquery(
            queryset.values(group_field).annotate(total=Sum(amount_field)).values("total")[:1]
        ),
        Value(0),
    )


def assert_ledger_invariants() -> None:
    """Every transaction balances; every account's balance is the sum of its entries;
    every wallet holds exactly what its lots hold and is never negative; every lot's
    remainder is the sum of its wallet entries and within what was granted; all accounts
    together hold nothing, and issuance has given out exactly what the lots were granted."""
    unbalanced = CreditTransaction.objects.annotate(
        total=_total(
            CreditEntry.objects.filter(transaction=OuterRef("pk")), "transaction", "amount"
        )
    ).exclude(total=0)
    assert not unbalanced.exists(), f"unbalanced transactions: {list(unbalanced)}"

    accounts = CreditAccount.objects.annotate(
        entries_total=_total(
            CreditEntry.objects.filter(account=OuterRef("pk")), "account", "amount"
        ),
        lots_total=_total(CreditLot.objects.filter(wallet=OuterRef("pk")), "wallet", "remaining"),
    )
    off = accounts.exclude(balance=F("entries_total"))
    assert not off.exists(), f"balances differ from entries: {list(off.values())}"
    wallets = accounts.filter(kind=WALLET)
    off = wallets.exclude(balance=F("lots_total"))
    assert not off.exists(), f"wallets differ from their lots: {list(off.values())}"
    assert not wallets.filter(balance__lt=0).exists()

    lots = CreditLot.objects.annotate(
        entries_total=_total(
            CreditEntry.objects.filter(lot=OuterRef("pk"), account__kind=WALLET), "lot", "amount"
        )
    )
    off = lots.exclude(remaining=F("entries_total"))
    assert not off.exists(), f"lots differ from their entries: {list(off.values())}"
    assert not lots.filter(Q(remaining__lt=0) | Q(remaining__gt=F("granted"))).exists()

    all_balances = CreditAccount.objects.aggregate(total=Sum("balance"))["total"] or 0
    assert all_balances == 0, f"the accounts sum to {all_balances}, not 0"
    issued = CreditLot.objects.aggregate(total=Sum("granted"))["total"] or 0
    issuance = CreditAccount.objects.filter(kind=CreditAccount.Kind.ISSUANCE).first()
    assert (issuance.balance if issuance else 0) == -issued
