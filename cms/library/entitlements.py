"""Who may open which content. Shared by the library and courses.

A page carries an `AccessLevel`; a viewer has a tier from Commerce (anonymous, free account,
member, premium: `commerce.memberships.selectors.access_level_for`). A higher tier opens
every lower level. CREDITS-level pages open through a `ContentPurchase`, or for Premium
members without paying: the Premium plan promises "every library item and course"
(commerce.memberships.defaults), so the top tier opens every level there is. A purchase
opens any page it was made for, whatever its level.
"""

from collections.abc import Iterable

from django.db import IntegrityError, models, transaction

from commerce.credits.services import credits_spend
from commerce.errors import Conflict, InvalidRequest
from commerce.memberships.models import AccessLevel as MembershipAccessLevel
from commerce.memberships.selectors import access_level_for

# Tiers as Commerce numbers them (0 is anonymous).
TIER_ANONYMOUS = 0
TIER_ACCOUNT = int(MembershipAccessLevel.FREE)
TIER_MEMBER = int(MembershipAccessLevel.MEMBER)
TIER_PREMIUM = int(MembershipAccessLevel.PREMIUM)

CREDITS_SOURCE_TYPE = "content-purchase"


class AccessLevel(models.TextChoices):
    """Who may open a page's content (stored on pages)."""

    PUBLIC = "public", "Everyone"
    ACCOUNT = "account", "Free account"
    MEMBER = "member", "Members"
    PREMIUM = "premium", "Premium members"
    CREDITS = "credits", "Buy with credits"


# The tier that opens each level. CREDITS is sold to the lower tiers and included in
# Premium, whose plan promises every library item and course.
TIER_REQUIRED: dict[str, int] = {
    AccessLevel.PUBLIC: TIER_ANONYMOUS,
    AccessLevel.ACCOUNT: TIER_ACCOUNT,
    AccessLevel.MEMBER: TIER_MEMBER,
    AccessLevel.PREMIUM: TIER_PREMIUM,
    AccessLevel.CREDITS: TIER_PREMIUM,
}


def viewer_tier(user) -> int:
    """The viewer's tier: 0 anonymous, then Commerce's access levels (10 free account,
    20 member, 30 premium). Read fresh on each call (one query); lists use the batch form
    `accessible_page_ids`, which reads it once."""
    if user is None or not user.is_authenticated:
        return TIER_ANONYMOUS
    return int(access_level_for(user=user))


def tier_opens(*, tier: int, access_level: str) -> bool:
    """Whether a tier alone (without a purchase) opens a level."""
    required = TIER_REQUIRED.get(access_level)
    return required is not None and tier >= required


def _purchased_page_ids(*, user, page_ids: Iterable[int]) -> set[int]:
    from cms.library.models import ContentPurchase

    if user is None or not user.is_authenticated:
        return set()
    page_ids = [page_id for page_id in page_ids if page_id is not None]
    if not page_ids:
        return set()
    return set(
        ContentPurchase.objects.filter(user=user, page_id__in=page_ids).values_list(
            "page_id", flat=True
        )
    )


def has_access(*, user, page, access_level: str) -> bool:
    """Whether `user` may open `page`, whose content is at `access_level`."""
    if tier_opens(tier=viewer_tier(user), access_level=access_level):
        return True
    return bool(_purchased_page_ids(user=user, page_ids=[page.pk]))


def accessible_page_ids(*, user, pages) -> set[int]:
    """The ids of `pages` (objects with `pk` and `access_level`) the user may open, in a
    constant number of queries: one for the tier, one for purchases."""
    pages = list(pages)
    if not pages:
        return set()
    tier = viewer_tier(user)
    opened = {page.pk for page in pages if tier_opens(tier=tier, access_level=page.access_level)}
    rest = [page.pk for page in pages if page.pk not in opened]
    return opened | _purchased_page_ids(user=user, page_ids=rest)


def _require_buyer(user) -> None:
    if user is None or not user.is_authenticated or user.pk is None:
        raise InvalidRequest("Sign in to buy content.", code="not_authenticated")


def _existing_purchase(*, user, page):
    from cms.library.models import ContentPurchase

    return ContentPurchase.objects.filter(user=user, page_id=page.pk).first()


def _create_purchase(**fields):
    """Creates the purchase, or returns the one a concurrent request recorded first (the
    unique (user, page) constraint decides)."""
    from cms.library.models import ContentPurchase

    try:
        with transaction.atomic():
            purchase = ContentPurchase.objects.create(**fields)
    except IntegrityError:
        existing = ContentPurchase.objects.filter(
            user=fields["user"], page_id=fields["page"].pk
        ).first()
        if existing is None:
            raise
        return _mark(existing, created=False)
    return _mark(purchase, created=True)


def _mark(purchase, *, created: bool):
    # Callers that answer 201 or 200 (the API) need to know whether this call bought it.
    purchase.is_new = created
    return purchase


@transaction.atomic
def content_purchase_with_credits(*, user, page, credits: int):  # noqa: A002 (the agreed name)
    """Buys `page` for `credits` credits, once per person and page: repeating the call (or
    racing it) returns the same purchase and spends once, because the spend's source
    (content-purchase, "<page>:<user>") is unique in the ledger. Raises
    commerce.errors.InsufficientCredits (402) when the wallet is short. The returned
    purchase's `is_new` says whether this call made it. Someone whose membership already
    opens the page (Premium) is not charged: Conflict already_included (409)."""
    _require_buyer(user)
    if page is None or page.pk is None:
        raise InvalidRequest("The page must be saved.")
    existing = _existing_purchase(user=user, page=page)
    if existing is not None:
        return _mark(existing, created=False)
    if tier_opens(tier=viewer_tier(user), access_level=page.access_level):
        raise Conflict(
            "Your membership already includes this; there is nothing to pay.",
            code="already_included",
        )
    spend = credits_spend(
        user=user,
        amount=credits,
        source_type=CREDITS_SOURCE_TYPE,
        source_id=f"{page.pk}:{user.pk}",
        memo=f"Bought “{page.title}”"[:200],
    )
    from cms.library.models import ContentPurchase

    return _create_purchase(
        user=user,
        page=page,
        source=ContentPurchase.Source.CREDITS,
        reference=f"credits:{spend.pk}",
        credits_spent=credits,
    )


@transaction.atomic
def content_purchase_record(*, user, page, source: str, reference: str):
    """Records a purchase paid some other way (source "card" after a Stripe payment, or
    "grant" by staff). Idempotent on `reference`, and a person holds at most one purchase
    per page: repeating returns the recorded purchase."""
    from cms.library.models import ContentPurchase

    _require_buyer(user)
    if source not in ContentPurchase.Source.values:
        raise InvalidRequest("Unknown purchase source.")
    if not isinstance(reference, str) or not reference.strip():
        raise InvalidRequest("A purchase reference is required.")
    by_reference = ContentPurchase.objects.filter(source=source, reference=reference).first()
    if by_reference is not None:
        if by_reference.user_id != user.pk or by_reference.page_id != page.pk:
            raise InvalidRequest(
                "This reference already recorded another purchase.", code="reference_conflict"
            )
        return _mark(by_reference, created=False)
    existing = _existing_purchase(user=user, page=page)
    if existing is not None:
        return _mark(existing, created=False)
    return _create_purchase(user=user, page=page, source=source, reference=reference)


@transaction.atomic
def content_purchase_revoke(*, source: str, reference: str) -> bool:
    """Takes back the purchase recorded for `reference` (a card payment refunded in full
    or disputed). Returns whether there was one; repeating is harmless. A later purchase
    of the same page records a new row."""
    from cms.library.models import ContentPurchase

    deleted, _ = ContentPurchase.objects.filter(source=source, reference=reference).delete()
    return bool(deleted)
