"""Page types: where they may be created, that they route, render, edit and preview, and
what they show (authors, tags, reading time, practitioners of a modality)."""

import pytest
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

from marketing_site.pages.models import (
    BlogIndexPage,
    BlogPostPage,
    HomePage,
    LandingPage,
    ModalityPage,
    StandardPage,
)
from tests.accounts.factories import UserFactory, enrol_totp
from tests.cms.core.factories import FaqItemFactory, TestimonialFactory
from tests.commerce.bookings.factories import AvailabilityRuleFactory
from tests.marketing_site.pages.factories import (
    BlogAuthorFactory,
    BlogIndexPageFactory,
    BlogPostPageFactory,
    LandingPageFactory,
    ModalityPageFactory,
    StandardPageFactory,
    home_page,
)
from tests.marketplace.practitioners.factories import (
    ModalityFactory,
    PractitionerProfileFactory,
    ServiceFactory,
)


class MarketingPageTypesTests(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home = home_page()
        faq = FaqItemFactory(question="Is it private?")
        testimonial = TestimonialFactory(person_name="Hannah R.")
        cls.landing = LandingPageFactory(
            parent=cls.home,
            title="Find your practitioner",
            slug="start",
            body=[
                {
                    "type": "hero",
                    "value": {"heading": "Find the right person", "text": "Quickly."},
                },
                {"type": "faq", "value": {"heading": "Questions", "items": [faq.pk]}},
                {
                    "type": "testimonials",
                    "value": {"heading": "Said", "testimonials": [testimonial.pk]},
                },
            ],
        )
        cls.standard = StandardPageFactory(parent=cls.home, title="About", slug="about")
        cls.blog = BlogIndexPageFactory(parent=cls.home)
        cls.author = BlogAuthorFactory(name="Maya Chen")
        cls.post = BlogPostPageFactory(
            parent=cls.blog,
            title="Choosing a therapist",
            authors=[cls.author],
            tags=["therapy", "getting started"],
        )
        cls.modality = ModalityFactory(name="Shiatsu", slug="shiatsu")
        cls.modality_page = ModalityPageFactory(parent=cls.standard, modality=cls.modality)
        cls.editor = UserFactory(is_superuser=True, is_staff=True)
        enrol_totp(cls.editor)

    def test_where_each_page_type_can_be_created(self):
        self.assertCanCreateAt(Page, HomePage)
        for child in (LandingPage, StandardPage, BlogIndexPage, ModalityPage):
            self.assertCanCreateAt(HomePage, child)
        self.assertCanCreateAt(StandardPage, StandardPage)
        self.assertCanCreateAt(StandardPage, ModalityPage)
        self.assertCanCreateAt(BlogIndexPage, BlogPostPage)
        self.assertCanNotCreateAt(Page, LandingPage)
        self.assertCanNotCreateAt(HomePage, BlogPostPage)
        self.assertCanNotCreateAt(BlogIndexPage, LandingPage)
        self.assertCanNotCreateAt(LandingPage, StandardPage)
        self.assertCanNotCreateAt(BlogPostPage, BlogPostPage)
        self.assertCanNotCreateAt(ModalityPage, StandardPage)

    def test_one_home_and_one_blog(self):
        self.assertFalse(HomePage.can_create_at(Page.get_first_root_node()))
        self.assertFalse(BlogIndexPage.can_create_at(self.home))

    def test_pages_route_and_render(self):
        for page in self.pages():
            self.assertPageIsRoutable(page)
            self.assertPageIsRenderable(page)
        self.assertPageIsRenderable(self.blog, query_data={"tag": "therapy"})
        self.assertPageIsRenderable(self.blog, query_data={"page": "not-a-number"})

    def test_editors_can_edit_and_preview(self):
        for page in self.pages():
            data = self.form_data(page)
            self.assertPageIsEditable(page, user=self.editor, post_data=data)
            self.assertPageIsPreviewable(page, user=self.editor, post_data=data)

    def form_data(self, page) -> dict:
        """What the edit form posts for `page` (streams empty: the admin's JavaScript
        builds their fields, which the HTML alone does not carry)."""
        from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

        data = {"title": page.title, "slug": page.slug, "og_image": "", "canonical_url": ""}
        if isinstance(page, HomePage):
            data.update(hero_heading=page.hero_heading, hero_text="", hero_cta_text="")
            data.update(hero_cta_url="")
        if hasattr(page, "body"):
            data["body"] = streamfield([])
        if hasattr(page, "intro"):
            data["intro"] = page.intro
        if isinstance(page, BlogPostPage):
            data.update(date="2026-11-01", hero_image="", hero_image_alt="", tags="therapy")
            data["authors"] = [str(self.author.pk)]
            data["body"] = streamfield([("rich_text", rich_text("<p>Text</p>"))])
        if isinstance(page, ModalityPage):
            data["modality"] = str(self.modality.pk)
        return nested_form_data(data)

    def test_an_editor_creates_a_standard_page_in_the_admin(self):
        from wagtail.test.utils.form_data import nested_form_data, streamfield

        data = nested_form_data(
            {
                "title": "Privacy",
                "slug": "privacy",
                "intro": "How we look after your data.",
                "body": streamfield([]),
                "og_image": "",
                "canonical_url": "",
            }
        )
        self.client.force_login(self.editor)
        self.assertCanCreate(self.home, StandardPage, data)

    def test_a_modality_has_one_page(self):
        from django.core.exceptions import ValidationError

        with self.assertRaises(ValidationError):
            ModalityPageFactory(parent=self.home, modality=self.modality, slug="shiatsu-again")

    def pages(self):
        return [self.home, self.landing, self.standard, self.blog, self.post, self.modality_page]


@pytest.mark.django_db
def test_blog_post_shows_authors_tags_and_reading_time(client):
    blog = BlogIndexPageFactory(parent=home_page())
    author = BlogAuthorFactory(name="Maya Chen", role="Counsellor")
    post = BlogPostPageFactory(
        parent=blog,
        title="Sleep better",
        intro="Two words",
        authors=[author],
        tags=["sleep"],
        body=[{"type": "rich_text", "value": "<p>" + "word " * 598 + "</p>"}],
    )

    html = client.get(post.url).content.decode()

    assert post.reading_minutes == 3  # 600 words at 200 a minute
    assert "3 min read" in html
    assert "Maya Chen" in html and "Counsellor" in html
    assert f'href="{blog.url}?tag=sleep"' in html


@pytest.mark.django_db
def test_blog_index_lists_live_posts_newest_first_and_filters_by_tag(client):
    import datetime as dt

    blog = BlogIndexPageFactory(parent=home_page())
    BlogPostPageFactory(parent=blog, title="Older", date=dt.date(2026, 1, 1), tags=["sleep"])
    BlogPostPageFactory(parent=blog, title="Newer", date=dt.date(2026, 6, 1), tags=["coaching"])
    BlogPostPageFactory(parent=blog, title="Draft post", live=False)

    html = client.get(blog.url).content.decode()
    tagged = client.get(f"{blog.url}?tag=sleep").content.decode()
    unknown = client.get(f"{blog.url}?tag=no-such-tag")

    assert html.index("Newer") < html.index("Older")
    assert "Draft post" not in html
    assert "Older" in tagged and "Newer" not in tagged
    assert unknown.status_code == 200  # an unknown tag shows every post, never an error


@pytest.mark.django_db
def test_modality_page_lists_bookable_practitioners_of_that_modality(client):
    shiatsu = ModalityFactory(name="Shiatsu", slug="shiatsu")
    yoga = ModalityFactory(name="Yoga", slug="yoga")
    offers = ServiceFactory(
        modality=shiatsu, practitioner=PractitionerProfileFactory(display_name="Aiko Mori")
    )
    AvailabilityRuleFactory(practitioner=offers.practitioner)
    # Same modality but no availability yet: not listed.
    ServiceFactory(
        modality=shiatsu, practitioner=PractitionerProfileFactory(display_name="No Hours")
    )
    ServiceFactory(modality=yoga, practitioner=PractitionerProfileFactory(display_name="Yan Li"))
    ServiceFactory(
        modality=shiatsu,
        practitioner=PractitionerProfileFactory(display_name="Draft Person", status="draft"),
    )
    page = ModalityPageFactory(parent=home_page(), modality=shiatsu)

    html = client.get(page.url).content.decode()

    assert "Aiko Mori" in html
    assert f'href="/practitioners/{offers.practitioner.slug}/"' in html
    assert "Yan Li" not in html
    assert "Draft Person" not in html
    assert "No Hours" not in html
