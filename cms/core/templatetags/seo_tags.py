"""`{% seo_meta %}` (in templates/base.html) writes canonical, robots, Open Graph, Twitter
card and JSON-LD tags for whatever Wagtail page the context holds; `{% breadcrumbs %}` shows
the trail the BreadcrumbList describes."""

import json

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.utils.safestring import SafeString, mark_safe
from wagtail.models import Page, Site

from cms.core.blocks import request_memo
from cms.core.seo import OG_IMAGE_SPEC

register = template.Library()

DEFAULT_DESCRIPTION = (
    "Aeyia connects you with verified therapists, coaches and bodyworkers. Book sessions "
    "online or near you, and keep learning between them."
)
DEFAULT_OG_IMAGE = "img/og-default.png"
DEFAULT_OG_SIZE = (1200, 630)
# Characters that would end a <script> element or confuse an HTML parser inside one.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_ld_script(data: dict) -> SafeString:
    """JSON for a <script type="application/ld+json"> element, escaped so no value can end
    the element early."""
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_SCRIPT_ESCAPES))  # noqa: S308


def site_root_url(request) -> str:
    site = Site.find_for_request(request) if request is not None else None
    if site is None:
        site = Site.objects.filter(is_default_site=True).first()
    return site.root_url if site else settings.SITE_URL.rstrip("/")


def absolute(request, url: str) -> str:
    if url.startswith(("http://", "https://")):
        return url
    return f"{site_root_url(request)}{url}"


def page_title(page: Page) -> str:
    return page.seo_title or page.title


def page_ancestors(context, page: Page) -> list[Page]:
    """The page's trail below Wagtail's root (the site's home first), read once a request.
    The page itself comes last even when it is not live yet (a preview)."""
    return request_memo(
        context,
        ("ancestors", page.pk),
        lambda: [*page.get_ancestors().filter(depth__gt=1).live(), page],
    )


def breadcrumb_json_ld(context, page: Page, request) -> dict | None:
    trail = page_ancestors(context, page)
    if len(trail) < 2:
        return None
    return {
        "@type": "BreadcrumbList",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": position,
                "name": crumb.title,
                "item": crumb.get_full_url(request),
            }
            for position, crumb in enumerate(trail, start=1)
        ],
    }


def _og_image(page: Page, request) -> dict:
    image = page.social_image() if hasattr(page, "social_image") else None
    if image is not None:
        rendition = image.get_rendition(OG_IMAGE_SPEC)
        return {
            "url": absolute(request, rendition.url),
            "width": rendition.width,
            "height": rendition.height,
            "alt": image.default_alt_text or image.title,
        }
    width, height = DEFAULT_OG_SIZE
    return {
        "url": absolute(request, static(DEFAULT_OG_IMAGE)),
        "width": width,
        "height": height,
        "alt": "Aeyia: therapy, coaching and bodywork",
    }


@register.inclusion_tag("cms_core/includes/seo_meta.html", takes_context=True)
def seo_meta(context) -> dict:
    page = context.get("page")
    request = context.get("request")
    if not isinstance(page, Page) or request is None:
        return {"page": None}
    canonical = getattr(page, "canonical_url", "") or page.get_full_url(request)
    graph = []
    if breadcrumbs := breadcrumb_json_ld(context, page, request):
        graph.append(breadcrumbs)
    if hasattr(page, "json_ld_objects"):
        graph.extend(page.json_ld_objects(request))
    return {
        "page": page,
        "canonical": canonical,
        "url": page.get_full_url(request),
        "title": page_title(page),
        "description": page.search_description or DEFAULT_DESCRIPTION,
        "noindex": getattr(page, "noindex", False),
        "og_type": getattr(page, "og_type", "website"),
        "image": _og_image(page, request),
        "json_ld": json_ld_script({"@context": "https://schema.org", "@graph": graph})
        if graph
        else "",
    }


@register.inclusion_tag("cms_core/includes/breadcrumbs.html", takes_context=True)
def breadcrumbs(context) -> dict:
    page = context.get("page")
    if not isinstance(page, Page):
        return {"trail": []}
    trail = page_ancestors(context, page)
    return {"trail": trail if len(trail) > 1 else [], "current": page}
