"""Demo commerce content for the embedded default (idempotent): welcome credits for the
demo client, and a society partner whose pool the client can join with a voucher code."""

from accounts.models import User
from commerce.credits.models import CreditTransaction
from commerce.credits.services import credits_grant
from commerce.memberships.defaults import ensure_default_plans
from commerce.memberships.models import MembershipPlan
from commerce.partners.models import Partner, VoucherCode
from commerce.partners.services import (
    partner_admin_add,
    partner_create,
    pool_create,
    voucher_create,
)

DEMO_VOUCHER = "CALM-2026"


def seed_commerce(*, client: User, partner_admin: User) -> list[str]:
    """Returns lines worth printing for the person trying the site."""
    ensure_default_plans(MembershipPlan)
    credits_grant(
        user=client,
        amount=3,
        kind=CreditTransaction.Kind.ADJUSTMENT,
        source_type="demo",
        source_id="welcome-credits",
        memo="Welcome credits",
    )
    partner = Partner.objects.filter(slug="riverside-wellbeing-trust").first()
    if partner is None:
        partner = partner_create(name="Riverside Wellbeing Trust")
        pool = pool_create(
            partner=partner, name="Free sessions for carers", units_funded=40, per_client_cap=3
        )
        voucher_create(pool=pool, code=DEMO_VOUCHER, max_redemptions=100)
    partner_admin_add(partner=partner, user=partner_admin)
    code = VoucherCode.objects.filter(pool__partner=partner).values_list("code", flat=True).first()
    return [f"Sponsor voucher for the demo client: {code} (at /partners/join/)"]
