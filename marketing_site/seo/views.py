"""robots.txt and sitemap.xml."""

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_safe
from wagtail.contrib.sitemaps.views import sitemap as wagtail_sitemap

from marketing_site.seo.sitemaps import SITEMAPS

# Areas no crawler has any business in, even in production.
PRIVATE_PREFIXES = [
    "/cms/",
    "/django-admin/",
    "/accounts/",
    "/account/",
    "/dashboard/",
    "/api/",
    "/_allauth/",
    "/stripe-local/",
    "/webhooks/",
    "/bookings/",
    "/calendar/",
    "/partners/",
    "/membership/join/",
]


@require_safe
def robots_txt(request):
    """Production (SEO_ALLOW_INDEXING) keeps crawlers out of private areas and points them
    at the sitemap; every other environment (staging, previews, local) disallows everything
    so it never shows up in search results."""
    from cms.core.templatetags.seo_tags import site_root_url

    return render(
        request,
        "robots.txt",
        {
            "allow_indexing": settings.SEO_ALLOW_INDEXING,
            "private_prefixes": PRIVATE_PREFIXES,
            "sitemap_url": f"{site_root_url(request)}/sitemap.xml",
        },
        content_type="text/plain; charset=utf-8",
    )


@require_safe
def sitemap_xml(request):
    return wagtail_sitemap(request, sitemaps=SITEMAPS)
