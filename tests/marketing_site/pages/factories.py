"""Marketing pages for tests: each factory adds its page under `parent` and publishes it
(pass `live=False` for a draft)."""

import datetime as dt

import factory
from django.utils.text import slugify
from wagtail.models import Page

from marketing_site.pages.demo import seed_home_page
from marketing_site.pages.models import (
    BlogAuthor,
    BlogIndexPage,
    BlogPostPage,
    HomePage,
    LandingPage,
    ModalityPage,
    StandardPage,
)
from tests.wagtail_tree import ensure_wagtail_tree


def home_page():
    """The site's home page at / (the demo's, as `make run` makes it)."""
    ensure_wagtail_tree()
    return seed_home_page()


class PageFactory(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True

    title = factory.Sequence(lambda n: f"Page {n}")
    slug = factory.LazyAttribute(lambda page: slugify(page.title))

    @classmethod
    def _create(cls, model_class, *args, parent: Page, live: bool = True, **kwargs):
        authors = kwargs.pop("authors", [])
        tags = kwargs.pop("tags", [])
        page = model_class(*args, **kwargs)
        parent.add_child(instance=page)
        if authors:
            page.authors = authors
        if tags:
            page.tags.add(*tags)
        revision = page.save_revision()
        if live:
            revision.publish()
        else:
            page.unpublish()
        return page


class LandingPageFactory(PageFactory):
    class Meta:
        model = LandingPage

    body = factory.LazyFunction(list)


class StandardPageFactory(PageFactory):
    class Meta:
        model = StandardPage

    intro = "A page about something."
    body = factory.LazyFunction(
        lambda: [{"type": "rich_text", "value": "<p>Standard page text.</p>"}]
    )


class BlogIndexPageFactory(PageFactory):
    class Meta:
        model = BlogIndexPage

    title = "Blog"
    slug = "blog"


class BlogAuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BlogAuthor

    name = factory.Sequence(lambda n: f"Author {n}")
    role = "Counsellor"


class BlogPostPageFactory(PageFactory):
    class Meta:
        model = BlogPostPage

    date = dt.date(2026, 11, 1)
    intro = "What this post is about."
    body = factory.LazyFunction(
        lambda: [{"type": "rich_text", "value": "<p>" + "word " * 450 + "</p>"}]
    )


class ModalityPageFactory(PageFactory):
    class Meta:
        model = ModalityPage

    title = factory.LazyAttribute(lambda page: page.modality.name)
    slug = factory.LazyAttribute(lambda page: page.modality.slug)
    intro = "Who offers it."


def marketing_demo() -> HomePage:
    """The demo marketing site with live data behind its blocks: practitioners of two
    modalities, two membership plans and a course (for browser tests, whose database is
    flushed of the migrations' plans)."""

    from commerce.memberships.models import MembershipPlan
    from marketing_site.pages.demo import seed_site
    from tests.cms.courses.factories import CourseFactory
    from tests.commerce.bookings.factories import AvailabilityRuleFactory
    from tests.marketplace.practitioners.factories import (
        ModalityFactory,
        PractitionerProfileFactory,
        ServiceFactory,
    )

    home = home_page()
    therapy = ModalityFactory(name="Psychotherapy", slug="psychotherapy")
    shiatsu = ModalityFactory(name="Shiatsu", slug="shiatsu")
    for name, modality in (
        ("Priya Patel", therapy),
        ("Aiko Mori", shiatsu),
        ("Ravi Shah", therapy),
    ):
        practitioner = PractitionerProfileFactory(
            display_name=name, bio=f"{name} works with stress, sleep and burnout."
        )
        # Listed only with a service and hours (the go-live rule, decision 0028).
        ServiceFactory(modality=modality, practitioner=practitioner)
        AvailabilityRuleFactory(practitioner=practitioner)
    MembershipPlan.objects.get_or_create(
        slug="free", defaults={"name": "Free", "tagline": "Browse and book.", "price": 0}
    )
    MembershipPlan.objects.get_or_create(
        slug="member",
        defaults={
            "name": "Member",
            "tagline": "Regular care for less.",
            "price": 1500,
            "monthly_credit_allowance": 1,
            "member_discount_percent": 10,
            "sort_order": 1,
        },
    )
    CourseFactory(title="Sleep, gently", summary="Six short lessons for better nights.")
    seed_site()
    return HomePage.objects.get(pk=home.pk)
