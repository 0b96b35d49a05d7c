"""Search and social metadata every content page shares. Library, course and marketing pages
mix `SeoMixin` into their Page models; the `seo_meta` template tag also works for any Page
without it (falling back to Wagtail's own seo_title and search_description)."""

from django.db import models
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.models import Page

OG_IMAGE_SPEC = "fill-1200x630"


class SeoMixin(models.Model):
    """Social image, canonical override and a noindex switch, edited on the Promote tab."""

    og_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="social image",
        help_text="Shown when the page is shared (1200×630 crop). Defaults to the Aeyia card.",
    )
    canonical_url = models.URLField(
        blank=True,
        help_text="Only when this content's main home is another address; leave empty otherwise.",
    )
    noindex = models.BooleanField(
        default=False,
        verbose_name="hide from search engines",
        help_text="Adds noindex and leaves the page out of the sitemap.",
    )

    seo_panels = [
        MultiFieldPanel(
            [FieldPanel("og_image"), FieldPanel("canonical_url"), FieldPanel("noindex")],
            heading="Search and sharing",
        )
    ]
    promote_panels = [*Page.promote_panels, *seo_panels]

    class Meta:
        abstract = True

    def get_sitemap_urls(self, request=None):
        if self.noindex:
            return []
        return super().get_sitemap_urls(request)

    def social_image(self):
        """The image shared links show; page types may fall back to one of their own."""
        return self.og_image

    def json_ld_objects(self, request) -> list[dict]:
        """schema.org objects beyond the breadcrumb trail; page types add their own."""
        return []
