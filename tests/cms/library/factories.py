"""Library pages, topics, purchases and viewers of each tier for tests."""

import itertools

import factory
from django.core.files.base import ContentFile
from wagtail.models import Page, Site

from cms.library.entitlements import AccessLevel
from cms.library.models import ContentPurchase, LibraryIndexPage, LibraryItemPage, Topic
from commerce.memberships.defaults import DEFAULT_PLANS
from commerce.memberships.models import Membership, MembershipPlan
from tests.accounts.factories import UserFactory
from tests.wagtail_tree import ensure_wagtail_tree

_numbers = itertools.count(1)

PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def site_root() -> Page:
    ensure_wagtail_tree()
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is not None:
        return site.root_page
    root = Page.get_first_root_node()
    home = root.add_child(instance=Page(title="Home", slug="home"))
    Site.objects.create(hostname="localhost", root_page=home, is_default_site=True)
    return home


def library_index(**fields) -> LibraryIndexPage:
    """The library index under the site root (one per site), at /library/."""
    existing = LibraryIndexPage.objects.first()
    if existing is not None:
        return existing
    fields.setdefault("title", "Library")
    fields.setdefault("slug", "library")
    index = LibraryIndexPage(**fields)
    site_root().add_child(instance=index)
    return index


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")


class LibraryItemFactory(factory.django.DjangoModelFactory):
    """A published public article under the library index."""

    class Meta:
        model = LibraryItemPage

    title = factory.Sequence(lambda n: f"Library item {n}")
    slug = factory.Sequence(lambda n: f"library-item-{n}")
    format = "article"
    teaser = factory.Sequence(lambda n: f"A short public teaser number {n}.")
    body = factory.LazyFunction(
        lambda: [{"type": "rich_text", "value": "<p>The whole article body.</p>"}]
    )
    access_level = AccessLevel.PUBLIC
    credit_price = factory.LazyAttribute(
        lambda item: 5 if item.access_level == AccessLevel.CREDITS else None
    )

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        topics = kwargs.pop("topics", [])
        worksheet = kwargs.pop("worksheet", None)
        parent = kwargs.pop("parent", None) or library_index()
        item = model_class(*args, **kwargs)
        if worksheet is not None:
            item.worksheet_file.save(
                f"worksheet-{next(_numbers)}.pdf", ContentFile(worksheet), save=False
            )
        parent.add_child(instance=item)
        if topics:
            item.topics.set(topics)
            item.save_revision().publish()
        return item


def plan(level: str) -> MembershipPlan:
    """The default plan for a tier (its data migration creates them; a flush after a
    committing test removes them, so they come back here)."""
    spec = next(spec for spec in DEFAULT_PLANS if spec["slug"] == level)
    return MembershipPlan.objects.get_or_create(slug=level, defaults=spec)[0]


def make_member(user, *, level: str) -> Membership:
    return Membership.objects.create(user=user, plan=plan(level), status=Membership.Status.ACTIVE)


def viewer(kind: str):
    """A user of one kind: anonymous (None), free, member, premium, purchaser (a free
    account; callers give it the purchase they test)."""
    if kind == "anonymous":
        return None
    user = UserFactory()
    if kind in ("member", "premium"):
        make_member(user, level=kind)
    return user


def purchase(*, user, page, source: str = ContentPurchase.Source.GRANT) -> ContentPurchase:
    return ContentPurchase.objects.create(
        user=user, page=page, source=source, reference=f"test-{next(_numbers)}"
    )
