"""The person's credit accounts and statement in their data export (privacy.export)."""

from collections.abc import Iterator

from privacy.export import ExportItem, exclude, json_file, register


def credits_export(user) -> Iterator[ExportItem]:
    from commerce.credits.models import CreditAccount, CreditEntry, CreditLot

    accounts = list(CreditAccount.objects.filter(owner=user).values("id", "kind", "balance"))
    account_ids = [account["id"] for account in accounts]
    yield json_file(
        "credits.json",
        {
            "accounts": accounts,
            "lots": list(
                CreditLot.objects.filter(wallet_id__in=account_ids).values(
                    "wallet_id", "granted", "remaining", "expires_at", "created_at"
                )
            ),
            "entries": list(
                CreditEntry.objects.filter(account_id__in=account_ids)
                .order_by("transaction__created_at", "pk")
                .values(
                    "account_id",
                    "amount",
                    "transaction__kind",
                    "transaction__memo",
                    "transaction__created_at",
                )
            ),
        },
    )


def register_exports() -> None:
    register("credits", credits_export, models=("credits.CreditAccount",))
    exclude(
        models=("credits.CreditTransaction",),
        reason="created_by names the staff member or system that posted it; the person's "
        "own movements are exported as their accounts' entries",
    )
