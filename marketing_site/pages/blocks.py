"""Blocks editors compose the marketing pages from. Shared content blocks live in
cms.core.blocks; these add the marketing-only ones, including blocks fed by live data
(practitioners, courses, membership plans), each read once per request."""

from django.urls import reverse
from wagtail import blocks

from cms.core.blocks import (
    CallToActionBlock,
    FaqBlock,
    ImageBlock,
    RenditionImageChooserBlock,
    RichTextBlock,
    TestimonialsBlock,
    VideoBlock,
    request_memo,
)
from marketing_site.leads.blocks import LeadFormBlock

__all__ = [
    "BlogBodyBlock",
    "BodyBlock",
    "CallToActionBlock",
    "StandardBodyBlock",
]


class HeroBlock(blocks.StructBlock):
    eyebrow = blocks.CharBlock(required=False, max_length=80)
    heading = blocks.CharBlock(max_length=120)
    text = blocks.TextBlock(required=False)
    link_text = blocks.CharBlock(required=False, max_length=40)
    link_url = blocks.CharBlock(required=False, max_length=200)
    image = RenditionImageChooserBlock(required=False)

    class Meta:
        template = "pages/blocks/hero.html"
        icon = "title"


class FeatureBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=80)
    text = blocks.TextBlock()


class FeatureGridBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=120)
    features = blocks.ListBlock(FeatureBlock(), min_num=1, max_num=6)

    class Meta:
        template = "pages/blocks/feature_grid.html"
        icon = "table"


class PractitionerSpotlightBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=120, default="Meet some of our practitioners")
    modality = blocks.CharBlock(
        required=False,
        max_length=80,
        help_text="Only practitioners offering this modality (its slug, e.g. “yoga-therapy”).",
    )
    count = blocks.IntegerBlock(min_value=1, max_value=12, default=3)

    class Meta:
        template = "pages/blocks/practitioner_spotlight.html"
        icon = "user"

    def get_context(self, value, parent_context=None):
        from commerce.bookings.directory import practitioner_directory

        context = super().get_context(value, parent_context)
        slug, count = value["modality"] or "", value["count"]
        practitioners = request_memo(
            parent_context,
            ("practitioner-spotlight", slug, count),
            lambda: list(practitioner_directory(modality_slug=slug)[:count]),
        )
        context["practitioners"] = [
            {
                "practitioner": practitioner,
                "url": reverse("practitioner-profile", args=[practitioner.slug]),
                "modalities": sorted(
                    {service.modality.name for service in practitioner.active_services}
                ),
            }
            for practitioner in practitioners
        ]
        return context


class CourseSpotlightBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=120, default="Learn between sessions")
    count = blocks.IntegerBlock(min_value=1, max_value=12, default=3)

    class Meta:
        template = "pages/blocks/course_spotlight.html"
        icon = "doc-full"

    def get_context(self, value, parent_context=None):
        # Imported here: the courses app sits beside this one and may load after it.
        from cms.courses.selectors import courses_for_spotlight

        context = super().get_context(value, parent_context)
        count = value["count"]
        context["courses"] = request_memo(
            parent_context,
            ("course-spotlight", count),
            lambda: courses_for_spotlight(limit=count),
        )
        return context


class PricingTableBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=120, default="Choose how you take part")
    intro = blocks.TextBlock(required=False)

    class Meta:
        template = "pages/blocks/pricing_table.html"
        icon = "form"

    def get_context(self, value, parent_context=None):
        from commerce.memberships.selectors import membership_plans_active

        context = super().get_context(value, parent_context)
        context["plans"] = request_memo(
            parent_context, ("membership-plans",), lambda: list(membership_plans_active())
        )
        return context


def _marketing_blocks() -> list[tuple[str, blocks.Block]]:
    children = [
        ("hero", HeroBlock()),
        ("rich_text", RichTextBlock()),
        ("image", ImageBlock()),
        ("video", VideoBlock()),
        ("feature_grid", FeatureGridBlock()),
        ("testimonials", TestimonialsBlock()),
        ("practitioner_spotlight", PractitionerSpotlightBlock()),
        ("course_spotlight", CourseSpotlightBlock()),
        ("pricing_table", PricingTableBlock()),
        ("faq", FaqBlock()),
        ("call_to_action", CallToActionBlock()),
        ("lead_form", LeadFormBlock()),
    ]
    return children


class BodyBlock(blocks.StreamBlock):
    """Home and landing pages: every marketing block."""

    def __init__(self, local_blocks=None, **kwargs):
        super().__init__(local_blocks=[*_marketing_blocks(), *(local_blocks or [])], **kwargs)


class StandardBodyBlock(blocks.StreamBlock):
    rich_text = RichTextBlock()
    image = ImageBlock()
    video = VideoBlock()
    faq = FaqBlock()
    testimonials = TestimonialsBlock()
    call_to_action = CallToActionBlock()


class BlogBodyBlock(blocks.StreamBlock):
    rich_text = RichTextBlock()
    image = ImageBlock()
    video = VideoBlock()
    call_to_action = CallToActionBlock()
