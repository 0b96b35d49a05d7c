"""StreamField blocks every content product shares (marketing pages, library, courses).

Blocks that show chosen images or snippets load them for the whole stream at once
(`bulk_to_python`), and live-data blocks remember their reads for the request, so a page's
query count stays flat however many blocks editors add."""

import copy
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from wagtail import blocks
from wagtail.images import get_image_model
from wagtail.images.blocks import ImageChooserBlock
from wagtail.snippets.blocks import SnippetChooserBlock

RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "link", "ol", "ul", "blockquote"]
VIDEO_HOSTS = {
    "www.youtube.com": "YouTube",
    "youtube.com": "YouTube",
    "youtu.be": "YouTube",
    "vimeo.com": "Vimeo",
    "player.vimeo.com": "Vimeo",
}


def request_memo(context: dict | None, key: tuple, loader: Callable[[], Any]) -> Any:
    """`loader()` once per request for `key`: twenty spotlight blocks with the same
    settings cost one read, not twenty."""
    request = (context or {}).get("request")
    if request is None:
        return loader()
    memo = request.__dict__.setdefault("_cms_block_memo", {})
    if key not in memo:
        memo[key] = loader()
    return memo[key]


def _in_order(objects: dict, values: list) -> list:
    """ChooserBlock's contract: same order as `values`, None kept, repeats copied."""
    seen, result = set(), []
    for pk in values:
        obj = objects.get(pk)
        if obj is not None and pk in seen:
            obj = copy.copy(obj)
        result.append(obj)
        seen.add(pk)
    return result


class RenditionImageChooserBlock(ImageChooserBlock):
    """Loads every chosen image of a stream with its renditions in two queries."""

    def bulk_to_python(self, values):
        values = list(values)
        images = (
            get_image_model()
            .objects.prefetch_renditions()
            .in_bulk([pk for pk in values if pk is not None])
        )
        return _in_order(images, values)


class TestimonialChooserBlock(SnippetChooserBlock):
    def __init__(self, **kwargs):
        super().__init__("cms_core.Testimonial", **kwargs)

    def bulk_to_python(self, values):
        from cms.core.models import Testimonial

        values = list(values)
        testimonials = (
            Testimonial.objects.select_related("image")
            .prefetch_related("image__renditions")
            .in_bulk([pk for pk in values if pk is not None])
        )
        return _in_order(testimonials, values)


class RichTextBlock(blocks.RichTextBlock):
    def __init__(self, **kwargs):
        kwargs.setdefault("features", RICH_TEXT_FEATURES)
        super().__init__(**kwargs)

    class Meta:
        template = "cms_core/blocks/rich_text.html"


class ImageBlock(blocks.StructBlock):
    image = RenditionImageChooserBlock()
    alt_text = blocks.CharBlock(
        required=False,
        max_length=200,
        help_text="What the image shows, for people who cannot see it. Leave empty if it is "
        "decoration only.",
    )
    caption = blocks.CharBlock(required=False, max_length=250)

    class Meta:
        template = "cms_core/blocks/image.html"
        icon = "image"


class VideoBlock(blocks.StructBlock):
    """A video hosted on YouTube or Vimeo, shown as its poster and a link out: the site's
    Content Security Policy allows no third-party frames, and no video site sets cookies
    before the visitor chooses to watch."""

    url = blocks.URLBlock(help_text="A YouTube or Vimeo address.")
    title = blocks.CharBlock(max_length=160)
    poster = RenditionImageChooserBlock(required=False)
    caption = blocks.CharBlock(required=False, max_length=250)

    class Meta:
        template = "cms_core/blocks/video.html"
        icon = "media"

    def clean(self, value):
        from urllib.parse import urlsplit

        value = super().clean(value)
        host = urlsplit(value.get("url") or "").hostname or ""
        if host not in VIDEO_HOSTS:
            raise blocks.StructBlockValidationError(
                {"url": ValidationError("Use a YouTube or Vimeo address.")}
            )
        return value

    def get_context(self, value, parent_context=None):
        from urllib.parse import urlsplit

        context = super().get_context(value, parent_context)
        context["host_name"] = VIDEO_HOSTS.get(urlsplit(value["url"]).hostname or "", "")
        return context


class CallToActionBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=120)
    text = blocks.TextBlock(required=False)
    link_text = blocks.CharBlock(max_length=40)
    link_url = blocks.CharBlock(max_length=200, help_text="A path such as /accounts/signup/")

    class Meta:
        template = "cms_core/blocks/call_to_action.html"
        icon = "pick"


class FaqBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=120, default="Questions people ask")
    items = blocks.ListBlock(SnippetChooserBlock("cms_core.FaqItem"), min_num=1)

    class Meta:
        template = "cms_core/blocks/faq.html"
        icon = "help"


class TestimonialsBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=120, default="What people say")
    testimonials = blocks.ListBlock(TestimonialChooserBlock(), min_num=1, max_num=6)

    class Meta:
        template = "cms_core/blocks/testimonials.html"
        icon = "openquote"


def faq_items_in(stream) -> list:
    """Every FAQ item a StreamField shows, in order, for FAQPage structured data."""
    items = []
    for block in stream:
        if block.block_type == "faq":
            items.extend(item for item in block.value["items"] if item is not None)
    return items
