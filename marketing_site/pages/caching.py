"""Whole-page cache for anonymous visitors of the marketing pages.

Only anonymous GET requests without pending messages are served from or stored in the
cache, and only responses that used no CSRF token and set no cookie are stored, so a cached
page never holds anything about one person. Keys carry a site-wide generation: publishing,
unpublishing, moving or deleting any page (or editing a snippet) starts a new generation,
because home and landing pages show other pages' content (posts, courses).

When the cache is down (config.cache_backend answers misses) there is no generation to
key by, so pages are served fresh and nothing is stored (decision 0019)."""

import hashlib
import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

GENERATION_KEY = "marketing-page-cache:generation"
# Query parameters that change what a marketing page shows (pagination, tag filter) or
# that campaigns add (UTM). A request with any other parameter is served fresh, so junk
# query strings cannot fill the cache.
CACHEABLE_PARAMETERS = frozenset(
    {"page", "tag", "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"}
)
CACHE_HEADER = "X-Page-Cache"


def _generation() -> str | None:
    """The current generation; None when the cache cannot give one (it is down)."""
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        generation = cache.get(GENERATION_KEY)
    return generation


def page_cache_purge() -> None:
    """Makes every cached marketing page stale at once (old entries expire by themselves)."""
    cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)


def _cache_key(request: HttpRequest) -> str | None:
    if settings.MARKETING_PAGE_CACHE_SECONDS <= 0:
        return None
    if request.method not in ("GET", "HEAD") or getattr(request, "is_preview", False):
        return None
    if request.user.is_authenticated or len(messages.get_messages(request)):
        return None
    if not set(request.GET).issubset(CACHEABLE_PARAMETERS):
        return None
    generation = _generation()
    if generation is None:
        return None
    query = urlencode(sorted(request.GET.lists()), doseq=True)
    address = f"{request.get_host()}{request.path}?{query}"
    digest = hashlib.sha256(address.encode()).hexdigest()
    return f"marketing-page:{generation}:{digest}"


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    session = getattr(request, "session", None)
    return (
        response.status_code == 200
        and not response.cookies
        and not response.has_header("Set-Cookie")
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not (session is not None and session.modified)
    )


class CachedPageMixin:
    """Serves a Wagtail page from the cache to anonymous visitors (see module docstring)."""

    def serve(self, request, *args, **kwargs):
        key = _cache_key(request)
        if key is None:
            return super().serve(request, *args, **kwargs)
        stored = cache.get(key)
        if stored is not None:
            response = HttpResponse(stored["content"], content_type=stored["content_type"])
            response[CACHE_HEADER] = "hit"
            return response
        response = super().serve(request, *args, **kwargs)
        if hasattr(response, "render"):
            response.render()
        if request.method == "GET" and _storable(request, response):
            cache.set(
                key,
                {"content": response.content, "content_type": response["Content-Type"]},
                timeout=settings.MARKETING_PAGE_CACHE_SECONDS,
            )
            response[CACHE_HEADER] = "miss"
        return response


class PageCacheMiddleware:
    """Answers a cached marketing page before Wagtail routes the request (the site and
    page lookups are most of a cache hit's cost). Only paths a marketing page stored are
    ever answered, under the same rules as `CachedPageMixin`. Goes after the
    authentication and message middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = _cache_key(request) if request.method in ("GET", "HEAD") else None
        stored = cache.get(key) if key is not None else None
        if stored is None:
            return self.get_response(request)
        response = HttpResponse(stored["content"], content_type=stored["content_type"])
        response[CACHE_HEADER] = "hit"
        return response
