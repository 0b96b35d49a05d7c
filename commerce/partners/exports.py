"""The person's partner pools (sponsored sessions) in their data export."""

from collections.abc import Iterator

from privacy.export import ExportItem, json_file, register


def partners_export(user) -> Iterator[ExportItem]:
    from commerce.partners.models import PartnerAdmin, PoolDraw, PoolEnrollment, PoolInvite

    yield json_file(
        "partners.json",
        {
            "pools_joined": list(
                PoolEnrollment.objects.filter(user=user).values(
                    "pool__name", "pool__partner__name", "via", "created_at"
                )
            ),
            "invitations_accepted": list(
                PoolInvite.objects.filter(accepted_user=user).values(
                    "pool__name", "email", "invited_at", "accepted_at"
                )
            ),
            "sessions_drawn": list(
                PoolDraw.objects.filter(user=user).values(
                    "pool__name", "units", "source_type", "created_at", "reversed_at"
                )
            ),
            "partner_admin_of": list(
                PartnerAdmin.objects.filter(user=user).values("partner__name", "created_at")
            ),
        },
    )


def register_exports() -> None:
    register(
        "partners",
        partners_export,
        models=(
            "partners.PoolEnrollment",
            "partners.PoolInvite",
            "partners.PoolDraw",
            "partners.PartnerAdmin",
        ),
    )
