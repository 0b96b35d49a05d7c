"""Home page throughput for anonymous visitors: the Wagtail home page served from the page
cache (inside Wagtail's serve, and by PageCacheMiddleware before routing) and rendered
fresh, against a bare Django view returning the same HTML through the same middleware and
test client, in one run."""

from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import include, path

from bench.timing import best_rate

REQUESTS = 1000
_html: dict[str, bytes] = {}


def bare_view(request):
    return HttpResponse(_html["home"], content_type="text/html; charset=utf-8")


urlpatterns = [path("bare/", bare_view), path("", include("config.urls"))]


def _seed() -> None:
    from commerce.bookings.demo import seed_practitioner_directory
    from marketing_site.pages.demo import seed_site

    seed_practitioner_directory()
    seed_site()


def run() -> str:
    _seed()
    client = Client()
    with override_settings(ROOT_URLCONF=__name__):
        first = client.get("/")
        assert first.status_code == 200, first.status_code
        _html["home"] = first.content

        def visit(path: str, through: Client = client, requests: int = REQUESTS):
            def work(_round: int) -> None:
                for _ in range(requests):
                    response = through.get(path)
                    assert response.status_code == 200

            return work

        bare_rate = best_rate(visit("/bare/"), count=REQUESTS)
        cached_rate = best_rate(visit("/"), count=REQUESTS)
        early = [*settings.MIDDLEWARE, "marketing_site.pages.caching.PageCacheMiddleware"]
        with override_settings(MIDDLEWARE=early):
            # A new client: a client's handler loads the middleware once.
            early_rate = best_rate(visit("/", Client()), count=REQUESTS)
        with override_settings(MARKETING_PAGE_CACHE_SECONDS=0):
            fresh_rate = best_rate(visit("/", requests=REQUESTS // 10), count=REQUESTS // 10)
    return (
        f"home page ({connection.vendor}, {len(_html['home']) // 1024} KiB): bare Django view "
        f"{bare_rate:,.0f} req/s; Wagtail from the page cache {cached_rate:,.0f} req/s "
        f"(ratio {cached_rate / bare_rate:.2f}); by the middleware {early_rate:,.0f} req/s "
        f"(ratio {early_rate / bare_rate:.2f}); rendered fresh {fresh_rate:,.0f} req/s "
        f"(ratio {fresh_rate / bare_rate:.2f})"
    )
