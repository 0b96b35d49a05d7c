"""The sitemap: every live public Wagtail page (marketing, library and course pages alike)
except those marked noindex, and every bookable practitioner's public profile."""

from types import SimpleNamespace
from urllib.parse import urlsplit

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.db.models.functions import Greatest
from django.urls import reverse
from wagtail.contrib.sitemaps import Sitemap as WagtailSitemap
from wagtail.models import Site


class PageSitemap(WagtailSitemap):
    """Wagtail's page sitemap; pages decide their own entries (get_sitemap_urls)."""


class PractitionerSitemap(Sitemap):
    """Public practitioner profiles, on the same origin as the Wagtail site's pages; lastmod
    is the latest change to the profile's services (or when it was created)."""

    changefreq = "weekly"

    def __init__(self, request=None):
        self.request = request

    def items(self):
        from commerce.bookings.directory import practitioners_listed

        return (
            practitioners_listed()
            .prefetch_related(None)
            .annotate(
                changed_at=Greatest("created_at", Max("services__updated_at")),
            )
            .order_by("display_name", "pk")
        )

    def location(self, item) -> str:
        return reverse("practitioner-profile", args=[item.slug])

    def lastmod(self, item):
        return item.changed_at or item.created_at

    def get_urls(self, page=1, site=None, protocol=None):
        wagtail_site = Site.find_for_request(self.request) if self.request else None
        if wagtail_site is None:
            wagtail_site = Site.objects.filter(is_default_site=True).first()
        if wagtail_site is not None:
            origin = urlsplit(wagtail_site.root_url)
            site, protocol = SimpleNamespace(domain=origin.netloc), origin.scheme
        return super().get_urls(page=page, site=site, protocol=protocol)


SITEMAPS = {"pages": PageSitemap, "practitioners": PractitionerSitemap}
