"""The ledger's invariants, checked from the rows themselves."""

from django.db.models import Sum

from commerce.credits.models import CreditAccount, CreditEntry, CreditLot, CreditTransaction


def assert_ledger_invariants() -> None:
    """Every transaction balances; every account's balance is the sum of its entries;
    every wallet holds exactly what its lots hold and is never negative; every lot's
    remainder is the sum of its wallet entries and within what was granted."""
    unbalanced = (
        CreditTransaction.objects.annotate(total=Sum("entries__amount"))
        .exclude(total=0)
        .exclude(total__isnull=True)
    )
    assert not unbalanced.exists(), f"unbalanced transactions: {list(unbalanced)}"

    for account in CreditAccount.objects.all():
        total = account.entries.aggregate(total=Sum("amount"))["total"] or 0
        assert account.balance == total, f"{account}: balance {account.balance} != {total}"
        if account.is_wallet:
            held = account.lots.aggregate(total=Sum("remaining"))["total"] or 0
            assert account.balance == held, f"{account}: balance {account.balance} != lots {held}"
            assert account.balance >= 0

    for lot in CreditLot.objects.all():
        on_lot = (
            CreditEntry.objects.filter(
                lot=lot, account__kind=CreditAccount.Kind.CLIENT_WALLET
            ).aggregate(total=Sum("amount"))["total"]
            or 0
        )
        assert lot.remaining == on_lot, f"{lot}: remaining {lot.remaining} != entries {on_lot}"
        assert 0 <= lot.remaining <= lot.granted

    all_balances = CreditAccount.objects.aggregate(total=Sum("balance"))["total"] or 0
    assert all_balances == 0, f"the accounts sum to {all_balances}, not 0"
    issued = CreditLot.objects.aggregate(total=Sum("granted"))["total"] or 0
    issuance = CreditAccount.objects.filter(kind=CreditAccount.Kind.ISSUANCE).first()
    assert (issuance.balance if issuance else 0) == -issued
