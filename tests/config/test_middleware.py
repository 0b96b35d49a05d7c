"""config.middleware (request ids, content security policy) and the security headers the
settings switch on for every response."""

import logging
import re
import uuid

import pytest

from accounts.roles import Role
from tests.accounts.factories import UserFactory, enrol_totp

pytestmark = pytest.mark.django_db


def _policy(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def _signed_in_editor_with_mfa(client):
    editor = UserFactory(roles=[Role.EDITOR])
    enrol_totp(editor)
    client.force_login(editor)
    return editor


# --- content security policy ---------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/accounts/signup/"])
def test_site_pages_get_the_strict_policy(client, url):
    response = client.get(url)

    assert response.status_code == 200
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert "'unsafe-inline'" not in policy["style-src"]


def test_signed_in_pages_get_the_strict_policy(client):
    client.force_login(UserFactory(roles=[Role.CLIENT]))

    for url in ("/account/", "/dashboard/"):
        policy = _policy(client.get(url))
        assert "'unsafe-inline'" not in policy["script-src"], url
        assert policy["frame-ancestors"] == ["'none'"], url


@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/accounts/signup/"])
def test_site_pages_need_nothing_the_strict_policy_blocks(client, url):
    """Inline script, inline event handlers and style attributes would be silently blocked
    by the browser under the strict policy."""
    html = client.get(url).content.decode()

    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", html)
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", html)
    assert not re.search(r"<[^>]+\sstyle\s*=", html)
    assert "<style" not in html


def test_wagtail_admin_gets_the_relaxed_policy(client):
    _signed_in_editor_with_mfa(client)

    response = client.get("/cms/")

    assert response.status_code == 200
    policy = _policy(response)
    assert "'unsafe-inline'" in policy["script-src"]
    assert "'unsafe-inline'" in policy["style-src"]
    assert policy["frame-ancestors"] == ["'self'"]
    # Still no plugins and no foreign framing.
    assert policy["object-src"] == ["'none'"]
    assert policy["default-src"] == ["'self'"]


def test_the_relaxation_does_not_leak_to_paths_that_merely_start_alike(client):
    response = client.get("/cmsx/")

    policy = _policy(response)
    assert "'unsafe-inline'" not in policy["script-src"]
    assert policy["frame-ancestors"] == ["'none'"]


def _preview(client, page):
    """Posts the page's edit form to Wagtail's preview view and loads the preview, as the
    editor's preview pane does."""
    from django.urls import reverse
    from wagtail.test.utils.form_data import nested_form_data, streamfield

    preview_url = reverse("wagtailadmin_pages:preview_on_edit", kwargs={"page_id": page.pk})
    data = {"title": "Previewed title", "slug": page.slug, "intro": "", "og_image": ""}
    data.update(canonical_url="", body=streamfield([]))
    posted = client.post(preview_url, nested_form_data(data))
    assert posted.json() == {"is_valid": True, "is_available": True}
    return client.get(f"{preview_url}?in_preview_panel=true")


def test_a_wagtail_preview_may_be_framed_by_our_own_origin_only(client, settings):
    from tests.marketing_site.pages.factories import StandardPageFactory, home_page

    settings.MARKETING_PAGE_CACHE_SECONDS = 0
    page = StandardPageFactory(parent=home_page(), title="About us", slug="about")
    superuser = UserFactory(roles=[Role.STAFF], is_superuser=True)
    enrol_totp(superuser)
    client.force_login(superuser)

    preview = _preview(client, page)

    assert preview.status_code == 200
    assert "Previewed title" in preview.content.decode()
    policy = _policy(preview)
    assert policy["frame-ancestors"] == ["'self'"]
    assert preview["X-Frame-Options"] == "SAMEORIGIN"
    # Otherwise the page keeps the strict site policy.
    assert "'unsafe-inline'" not in policy["script-src"]
    assert policy["default-src"] == ["'self'"]

    # The published page itself still refuses to be framed by anyone.
    public = client.get(page.url)
    assert _policy(public)["frame-ancestors"] == ["'none'"]
    assert public["X-Frame-Options"] == "DENY"


def test_a_request_cannot_claim_to_be_a_preview(client):
    response = client.get("/?is_preview=1&is_dummy=1", HTTP_IS_PREVIEW="1")

    assert _policy(response)["frame-ancestors"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"


def test_django_admin_gets_the_relaxed_policy(client):
    superuser = UserFactory(roles=[Role.STAFF], is_superuser=True)
    enrol_totp(superuser)
    client.force_login(superuser)

    response = client.get("/django-admin/")

    assert response.status_code == 200
    assert "'unsafe-inline'" in _policy(response)["script-src"]


def test_json_endpoints_carry_the_policy_too(client):
    assert _policy(client.get("/healthz"))["default-src"] == ["'self'"]


# --- other security headers ----------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/healthz", "/api/v1/me/"])
def test_every_response_carries_the_security_headers(client, url):
    response = client.get(url)

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_session_and_csrf_cookies_are_not_readable_by_script_and_stay_on_site(client):
    client.get("/accounts/login/")  # sets the CSRF cookie
    client.force_login(UserFactory())
    client.get("/account/")

    session = client.cookies["sessionid"]
    assert session["httponly"]
    assert session["samesite"] == "Lax"
    assert client.cookies["csrftoken"]["samesite"] == "Lax"


# --- request ids ---------------------------------------------------------------------


def test_a_well_formed_request_id_is_echoed(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a9c21.abc_DEF-42")

    assert response["X-Request-ID"] == "lb-7f3a9c21.abc_DEF-42"


def test_a_request_id_is_generated_when_none_is_sent(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]

    assert uuid.UUID(hex=first)
    assert first != second


@pytest.mark.parametrize(
    "incoming",
    ["short", "x" * 65, "has spaces in it", "semi;colon-12345", "<script>alert(1)</script>", ""],
    ids=["too-short", "too-long", "spaces", "semicolon", "markup", "empty"],
)
def test_a_malformed_request_id_is_replaced(client, incoming):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=incoming)

    assert response["X-Request-ID"] != incoming
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_log_records_written_while_serving_carry_the_request_id(client, monkeypatch):
    from django.core.cache import cache

    from config.logging import RequestIdFilter

    class Capture(logging.Handler):
        def __init__(self):
            super().__init__()
            self.addFilter(RequestIdFilter())
            self.request_ids = []

        def emit(self, record):
            self.request_ids.append(record.request_id)

    def broken_set(*args, **kwargs):
        raise ConnectionError("down")

    monkeypatch.setattr(cache, "set", broken_set)
    capture = Capture()
    health_logger = logging.getLogger("config.health")
    health_logger.addHandler(capture)
    try:
        client.get("/readyz", HTTP_X_REQUEST_ID="trace-1234567890")
    finally:
        health_logger.removeHandler(capture)

    # readyz logs which check failed; the record knows which request it belongs to.
    assert capture.request_ids == ["trace-1234567890"]
