"""The public marketing site: home, landing, standard, blog and modality pages. Every page
type carries the shared SEO fields and is cached whole for anonymous visitors."""

import math
import re

from django.core.paginator import Paginator
from django.db import models
from django.templatetags.static import static
from django.utils.html import strip_tags
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index
from wagtail.snippets.models import register_snippet

from cms.core.blocks import faq_items_in
from cms.core.seo import OG_IMAGE_SPEC, SeoMixin
from marketing_site.pages.blocks import BlogBodyBlock, BodyBlock, StandardBodyBlock
from marketing_site.pages.caching import CachedPageMixin

WORDS_PER_MINUTE = 200
BLOG_POSTS_PER_PAGE = 12
PRACTITIONERS_PER_PAGE = 24


def _absolute(request, url: str) -> str:
    from cms.core.templatetags.seo_tags import absolute

    return absolute(request, url)


def faq_page_json_ld(stream) -> list[dict]:
    items = faq_items_in(stream)
    if not items:
        return []
    return [
        {
            "@type": "FAQPage",
            "mainEntity": [
                {
                    "@type": "Question",
                    "name": item.question,
                    "acceptedAnswer": {"@type": "Answer", "text": strip_tags(item.answer).strip()},
                }
                for item in items
            ],
        }
    ]


class MarketingPage(CachedPageMixin, SeoMixin, Page):
    """What every marketing page type shares (not a page type itself)."""

    class Meta:
        abstract = True

    def get_paginated(self, request, items, per_page: int):
        return Paginator(items, per_page).get_page(request.GET.get("page"))


class HomePage(MarketingPage):
    """The public front door: a hero and an editor-composed body."""

    hero_heading = models.CharField(max_length=120)
    hero_text = models.TextField(blank=True)
    hero_cta_text = models.CharField(max_length=40, blank=True)
    hero_cta_url = models.CharField(max_length=200, blank=True)
    body = StreamField(BodyBlock(), blank=True)

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("hero_heading"),
                FieldPanel("hero_text"),
                FieldPanel("hero_cta_text"),
                FieldPanel("hero_cta_url"),
            ],
            heading="Hero",
        ),
        FieldPanel("body"),
    ]
    promote_panels = SeoMixin.promote_panels

    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    def json_ld_objects(self, request) -> list[dict]:
        root = self.get_full_url(request)
        organization = {
            "@type": "Organization",
            "@id": f"{root}#organization",
            "name": "Aeyia",
            "url": root,
            "logo": _absolute(request, static("img/logo-512.png")),
        }
        website = {
            "@type": "WebSite",
            "@id": f"{root}#website",
            "name": "Aeyia",
            "url": root,
            "publisher": {"@id": f"{root}#organization"},
            "potentialAction": {
                "@type": "SearchAction",
                "target": {
                    "@type": "EntryPoint",
                    "urlTemplate": f"{root.rstrip('/')}/practitioners/?q={{search_term_string}}",
                },
                "query-input": "required name=search_term_string",
            },
        }
        return [organization, website, *faq_page_json_ld(self.body)]


class LandingPage(MarketingPage):
    """A campaign page built entirely from blocks (start it with a hero block)."""

    body = StreamField(BodyBlock(), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("body")]
    promote_panels = SeoMixin.promote_panels
    search_fields = [*Page.search_fields, index.SearchField("body")]

    parent_page_types = ["pages.HomePage"]
    subpage_types: list[str] = []

    def json_ld_objects(self, request) -> list[dict]:
        return faq_page_json_ld(self.body)


class StandardPage(MarketingPage):
    """An ordinary content page (about, policies); lists its child pages if it has any."""

    intro = models.TextField(blank=True, max_length=400)
    body = StreamField(StandardBodyBlock(), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    promote_panels = SeoMixin.promote_panels
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]

    parent_page_types = ["pages.HomePage", "pages.StandardPage"]
    subpage_types = ["pages.StandardPage", "pages.ModalityPage"]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["children"] = self.get_children().live().public().in_menu().order_by("title")
        return context

    def json_ld_objects(self, request) -> list[dict]:
        return faq_page_json_ld(self.body)


@register_snippet
class BlogAuthor(models.Model):
    name = models.CharField(max_length=120)
    role = models.CharField(max_length=160, blank=True)
    bio = models.TextField(blank=True, max_length=600)
    image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    panels = [FieldPanel("name"), FieldPanel("role"), FieldPanel("bio"), FieldPanel("image")]

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class BlogPostTag(TaggedItemBase):
    content_object = ParentalKey(
        "pages.BlogPostPage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class BlogIndexPage(MarketingPage):
    intro = models.TextField(blank=True, max_length=400)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    promote_panels = SeoMixin.promote_panels

    parent_page_types = ["pages.HomePage"]
    subpage_types = ["pages.BlogPostPage"]
    max_count = 1

    def posts(self, *, tag: str = ""):
        posts = (
            BlogPostPage.objects.live()
            .public()
            .child_of(self)
            .select_related("hero_image")
            .prefetch_related("authors", "tags", "hero_image__renditions")
            .order_by("-date", "-pk")
        )
        if tag:
            posts = posts.filter(tags__slug=tag)
        return posts

    def get_context(self, request, *args, **kwargs):
        from taggit.models import Tag

        context = super().get_context(request, *args, **kwargs)
        tag_slug = request.GET.get("tag", "")[:100]
        tag = Tag.objects.filter(slug=tag_slug).first() if tag_slug else None
        context["tag"] = tag
        context["posts"] = self.get_paginated(
            request, self.posts(tag=tag.slug if tag else ""), BLOG_POSTS_PER_PAGE
        )
        context["tags"] = (
            Tag.objects.filter(pages_blogposttag_items__content_object__live=True)
            .distinct()
            .order_by("name")
        )
        return context


class BlogPostPage(MarketingPage):
    date = models.DateField("post date")
    intro = models.TextField(max_length=300, help_text="One or two sentences for listings.")
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hero_image_alt = models.CharField(
        max_length=200, blank=True, help_text="What the image shows; empty if decorative."
    )
    body = StreamField(BlogBodyBlock())
    authors = ParentalManyToManyField("pages.BlogAuthor", blank=True, related_name="posts")
    tags = ClusterTaggableManager(through=BlogPostTag, blank=True)

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [FieldPanel("date"), FieldPanel("authors"), FieldPanel("tags")], heading="About"
        ),
        FieldPanel("intro"),
        FieldPanel("hero_image"),
        FieldPanel("hero_image_alt"),
        FieldPanel("body"),
    ]
    promote_panels = SeoMixin.promote_panels
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]

    parent_page_types = ["pages.BlogIndexPage"]
    subpage_types: list[str] = []
    og_type = "article"

    @property
    def reading_minutes(self) -> int:
        """Minutes to read the intro and the text blocks, at 200 words a minute."""
        text = [self.intro]
        for block in self.body.raw_data:
            if block["type"] == "rich_text":
                text.append(strip_tags(block["value"]))
        words = len(re.findall(r"\w+", " ".join(text)))
        return max(1, math.ceil(words / WORDS_PER_MINUTE))

    def social_image(self):
        return self.og_image or self.hero_image

    def json_ld_objects(self, request) -> list[dict]:
        url = self.get_full_url(request)
        posting = {
            "@type": "BlogPosting",
            "headline": self.title,
            "description": self.search_description or self.intro,
            "datePublished": self.date.isoformat(),
            "mainEntityOfPage": url,
            "url": url,
            "author": [{"@type": "Person", "name": author.name} for author in self.authors.all()]
            or [{"@type": "Organization", "name": "Aeyia"}],
            "publisher": {"@type": "Organization", "name": "Aeyia"},
            "keywords": [tag.name for tag in self.tags.all()],
            "timeRequired": f"PT{self.reading_minutes}M",
        }
        if self.last_published_at:
            posting["dateModified"] = self.last_published_at.isoformat()
        image = self.social_image()
        if image is not None:
            posting["image"] = _absolute(request, image.get_rendition(OG_IMAGE_SPEC).url)
        return [posting]


class ModalityPage(MarketingPage):
    """One page per modality, listing the bookable practitioners who offer it."""

    modality = models.OneToOneField(
        "practitioners.Modality",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Each modality has one page.",
    )
    intro = models.TextField(blank=True, max_length=400)
    body = StreamField(StandardBodyBlock(), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("modality"),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    promote_panels = SeoMixin.promote_panels

    parent_page_types = ["pages.HomePage", "pages.StandardPage"]
    subpage_types: list[str] = []

    def get_context(self, request, *args, **kwargs):
        from django.urls import reverse

        from commerce.bookings.directory import practitioner_directory

        context = super().get_context(request, *args, **kwargs)
        practitioners = self.get_paginated(
            request,
            practitioner_directory(modality_slug=self.modality.slug),
            PRACTITIONERS_PER_PAGE,
        )
        context["practitioners"] = practitioners
        context["cards"] = [
            {
                "practitioner": practitioner,
                "url": reverse("practitioner-profile", args=[practitioner.slug]),
                "services": [
                    service
                    for service in practitioner.active_services
                    if service.modality_id == self.modality_id
                ],
            }
            for practitioner in practitioners
        ]
        return context

    def json_ld_objects(self, request) -> list[dict]:
        return faq_page_json_ld(self.body)


class PractisePage(MarketingPage):
    """The "Practise on Aeyia" page: why practise here, the fees, what verification
    needs and an FAQ, composed from the marketing blocks, under a hero whose button opens
    the application (/practise/apply/). One per site; the site navigation and footer
    link to it (templatetags.practise_tags), or straight to the application without it."""

    hero_heading = models.CharField(max_length=120)
    hero_text = models.TextField(blank=True)
    hero_cta_text = models.CharField(
        max_length=40,
        default="Apply to practise",
        help_text="The button that opens the application.",
    )
    body = StreamField(
        BodyBlock(),
        blank=True,
        help_text="Benefits (feature grid), fees and what verification needs (text), "
        "questions (FAQ).",
    )

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [FieldPanel("hero_heading"), FieldPanel("hero_text"), FieldPanel("hero_cta_text")],
            heading="Hero",
        ),
        FieldPanel("body"),
    ]
    promote_panels = SeoMixin.promote_panels
    search_fields = [*Page.search_fields, index.SearchField("body")]

    parent_page_types = ["pages.HomePage"]
    subpage_types: list[str] = []
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        from django.urls import reverse

        context = super().get_context(request, *args, **kwargs)
        context["apply_url"] = reverse("practitioner-apply")
        return context

    def json_ld_objects(self, request) -> list[dict]:
        return faq_page_json_ld(self.body)
