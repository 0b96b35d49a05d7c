"""The person's payments in their data export (privacy.export)."""

from collections.abc import Iterator

from privacy.export import ExportItem, exclude, json_file, register


def payments_export(user) -> Iterator[ExportItem]:
    from commerce.payments.models import ConnectedAccount, Payment, StripeCustomer

    yield json_file(
        "payments.json",
        {
            "payments": list(
                Payment.objects.filter(user=user)
                .order_by("created_at", "pk")
                .values(
                    "id",
                    "purpose",
                    "description",
                    "amount",
                    "currency",
                    "credit_count",
                    "status",
                    "paid_at",
                    "amount_refunded",
                    "created_at",
                )
            ),
            "refunds": list(
                Payment.objects.filter(user=user)
                .exclude(refunds=None)
                .values("id", "refunds__amount", "refunds__status", "refunds__created_at")
            ),
            "stripe_customer": StripeCustomer.objects.filter(user=user)
            .values("stripe_id", "created_at")
            .first(),
            "payout_account": ConnectedAccount.objects.filter(owner=user)
            .values("stripe_id", "charges_enabled", "payouts_enabled", "created_at")
            .first(),
        },
    )


def register_exports() -> None:
    register(
        "payments",
        payments_export,
        models=("payments.Payment", "payments.StripeCustomer", "payments.ConnectedAccount"),
    )
    exclude(
        models=("payments.Refund",),
        reason="created_by is the staff member who refunded; the person's refunds are "
        "exported with their payments",
    )
