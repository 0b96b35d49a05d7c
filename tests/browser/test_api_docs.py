"""/api/v1/docs/ renders Swagger UI under the strict site CSP, from our own origin only."""

from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser


def test_the_api_docs_render_every_operation_without_csp_violations(
    live_server, page, csp_violations
):
    requested = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto(f"{live_server.url}/api/v1/docs/")
    page.locator(".opblock").first.wait_for()

    assert page.locator(".opblock").count() >= 27
    assert page.locator("text=/api/v1/bookings/").count() >= 1
    assert csp_violations == []
    origin = urlsplit(live_server.url).netloc
    assert {urlsplit(url).netloc for url in requested if not url.startswith("data:")} == {origin}
