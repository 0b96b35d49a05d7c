"""The plans Aeyia starts with (free, member, premium). A data migration creates them;
staff edit them in the Wagtail admin afterwards."""

DEFAULT_PLANS = [
    {
        "slug": "free",
        "name": "Free",
        "tagline": "Browse practitioners, book sessions and read the open library.",
        "features": "Book any practitioner\nFree library articles\nYour history in one place",
        "price": 0,
        "monthly_credit_allowance": 0,
        "member_discount_percent": 0,
        "access_level": 10,
        "sort_order": 10,
    },
    {
        "slug": "member",
        "name": "Member",
        "tagline": "Regular support at a better price.",
        "features": "Member library and courses\nCredits roll over to the end of each period",
        "price": 1900,
        "monthly_credit_allowance": 2,
        "member_discount_percent": 10,
        "access_level": 20,
        "sort_order": 20,
    },
    {
        "slug": "premium",
        "name": "Premium",
        "tagline": "Weekly sessions and everything we publish.",
        "features": "Every library item and course\nPriority booking with new practitioners",
        "price": 3900,
        "monthly_credit_allowance": 5,
        "member_discount_percent": 20,
        "access_level": 30,
        "sort_order": 30,
    },
]


def ensure_default_plans(plan_model) -> None:
    """Creates the default plans that do not exist yet (`plan_model` may be the
    historical model inside a migration)."""
    for plan in DEFAULT_PLANS:
        plan_model.objects.get_or_create(
            slug=plan["slug"], defaults={**plan, "currency": "gbp", "interval": "month"}
        )
