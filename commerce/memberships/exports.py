"""The person's membership in their data export (privacy.export)."""

from collections.abc import Iterator

from privacy.export import ExportItem, json_file, register


def memberships_export(user) -> Iterator[ExportItem]:
    from commerce.memberships.models import Membership, MembershipCheckout

    yield json_file(
        "memberships.json",
        {
            "membership": Membership.objects.filter(user=user)
            .values(
                "plan__name",
                "status",
                "current_period_end",
                "cancel_at_period_end",
                "started_at",
                "ended_at",
            )
            .first(),
            "checkouts": list(
                MembershipCheckout.objects.filter(user=user).values(
                    "plan__name", "created_at", "completed_at"
                )
            ),
        },
    )


def register_exports() -> None:
    register(
        "memberships",
        memberships_export,
        models=("memberships.Membership", "memberships.MembershipCheckout"),
    )
