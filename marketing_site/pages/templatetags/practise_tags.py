"""Where "Practise on Aeyia" in the site navigation and footer leads: the live Practise
page, or the application itself when there is none (never a broken link). The answer is
cached (publishing, unpublishing or moving a page forgets it), so the header costs no
query on most requests."""

from django import template
from django.core.cache import cache
from django.db import DatabaseError
from django.urls import reverse

register = template.Library()

CACHE_KEY = "marketing:practise-url"
CACHE_SECONDS = 300


def practise_url_forget() -> None:
    cache.delete(CACHE_KEY)


def practise_url_lookup() -> str:
    from marketing_site.pages.models import PractisePage

    page = PractisePage.objects.live().public().first()
    url = page.url if page is not None else None
    return url or reverse("practitioner-apply")


@register.simple_tag
def practise_url() -> str:
    url = cache.get(CACHE_KEY)
    if not url:
        try:
            url = practise_url_lookup()
        except DatabaseError:
            return reverse("practitioner-apply")
        cache.set(CACHE_KEY, url, CACHE_SECONDS)
    return url
