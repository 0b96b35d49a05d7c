"""Who may open what: tiers include lower tiers, purchases open the page bought."""

import pytest
from django.contrib.auth.models import AnonymousUser

from cms.library.entitlements import (
    CREDITS_SOURCE_TYPE,
    AccessLevel,
    accessible_page_ids,
    content_purchase_record,
    content_purchase_with_credits,
    has_access,
    viewer_tier,
)
from cms.library.models import ContentPurchase
from commerce.credits.models import CreditTransaction
from commerce.credits.selectors import credits_available
from commerce.errors import InsufficientCredits, InvalidRequest
from tests.accounts.factories import UserFactory
from tests.cms.library.factories import LibraryItemFactory, make_member, purchase, viewer
from tests.commerce.credits.factories import give_credits

pytestmark = pytest.mark.django_db

LEVELS = [level.value for level in AccessLevel]
# What each kind of viewer opens without buying anything.
OPENS = {
    "anonymous": {"public"},
    "free": {"public", "account"},
    "member": {"public", "account", "member"},
    # Premium promises "every library item and course": credits-priced items included.
    "premium": {"public", "account", "member", "premium", "credits"},
}


def _user(kind):
    return viewer(kind) or AnonymousUser()


@pytest.mark.parametrize("kind", list(OPENS))
@pytest.mark.parametrize("level", LEVELS)
def test_tiers_open_their_level_and_every_lower_one(kind, level):
    user = _user(kind)
    item = LibraryItemFactory(access_level=level)

    assert has_access(user=user, page=item, access_level=level) is (level in OPENS[kind])


@pytest.mark.parametrize("level", LEVELS)
def test_a_purchase_opens_the_page_bought_whatever_its_level(level):
    user = UserFactory()
    item, other = LibraryItemFactory(access_level=level), LibraryItemFactory(access_level=level)
    purchase(user=user, page=item)

    assert has_access(user=user, page=item, access_level=level)
    assert has_access(user=user, page=other, access_level=level) is (level in OPENS["free"])


def test_viewer_tier_follows_commerce():
    user = UserFactory()
    assert viewer_tier(AnonymousUser()) == 0
    assert viewer_tier(user) == 10
    make_member(user, level="premium")
    assert viewer_tier(user) == 30


def test_accessible_page_ids_is_one_batch(django_assert_num_queries):
    user = UserFactory()
    items = [LibraryItemFactory(access_level=level) for level in LEVELS for _ in range(3)]
    bought = [item for item in items if item.access_level == "credits"][0]
    purchase(user=user, page=bought)

    with django_assert_num_queries(2):  # the tier, then the purchases
        opened = accessible_page_ids(user=user, pages=items)

    expected = {item.pk for item in items if item.access_level in OPENS["free"]} | {bought.pk}
    assert opened == expected


def test_buying_with_credits_spends_once_and_opens_the_page():
    user = UserFactory()
    give_credits(user=user, amount=10)
    item = LibraryItemFactory(access_level="credits", credit_price=4)

    first = content_purchase_with_credits(user=user, page=item, credits=4)
    again = content_purchase_with_credits(user=user, page=item, credits=4)

    assert first == again
    assert first.source == "credits" and first.credits_spent == 4
    assert credits_available(user=user) == 6
    assert CreditTransaction.objects.filter(source_type=CREDITS_SOURCE_TYPE).count() == 1
    assert has_access(user=user, page=item, access_level="credits")


def test_buying_without_enough_credits_raises_402_and_records_nothing():
    user = UserFactory()
    give_credits(user=user, amount=2)
    item = LibraryItemFactory(access_level="credits", credit_price=4)

    with pytest.raises(InsufficientCredits) as raised:
        content_purchase_with_credits(user=user, page=item, credits=4)

    assert raised.value.api_status == 402
    assert raised.value.api_code == "insufficient_credits"
    assert not ContentPurchase.objects.exists()
    assert credits_available(user=user) == 2


def test_anonymous_cannot_buy():
    item = LibraryItemFactory(access_level="credits")
    with pytest.raises(InvalidRequest):
        content_purchase_with_credits(user=AnonymousUser(), page=item, credits=5)


def test_recording_a_card_purchase_is_idempotent_on_its_reference():
    user = UserFactory()
    item = LibraryItemFactory(access_level="premium")

    first = content_purchase_record(user=user, page=item, source="card", reference="pi_123")
    again = content_purchase_record(user=user, page=item, source="card", reference="pi_123")

    assert first == again
    assert ContentPurchase.objects.count() == 1
    assert has_access(user=user, page=item, access_level="premium")


def test_a_reference_cannot_record_someone_elses_purchase():
    item = LibraryItemFactory(access_level="premium")
    content_purchase_record(user=UserFactory(), page=item, source="card", reference="pi_1")

    with pytest.raises(InvalidRequest):
        content_purchase_record(user=UserFactory(), page=item, source="card", reference="pi_1")


def test_unknown_sources_and_blank_references_are_refused():
    user, item = UserFactory(), LibraryItemFactory()
    with pytest.raises(InvalidRequest):
        content_purchase_record(user=user, page=item, source="cash", reference="x")
    with pytest.raises(InvalidRequest):
        content_purchase_record(user=user, page=item, source="card", reference=" ")
