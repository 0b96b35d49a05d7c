"""/api/v1/docs/ serves Swagger UI from the project's static files (no CDN), with nothing
inline, so the strict site CSP needs no exception (decision 0022)."""

import re

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def _sources(html: str) -> list[str]:
    return re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)


def test_the_docs_page_references_only_our_own_assets(client):
    response = client.get("/api/v1/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    sources = _sources(html)
    assert any(source.endswith("swagger-ui-bundle.js") for source in sources)
    assert all(source.startswith("/") and not source.startswith("//") for source in sources)
    assert "<style" not in html
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None  # no inline script
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def test_every_asset_the_docs_page_names_is_served(client):
    html = client.get("/api/v1/docs/").content.decode()

    for source in _sources(html):
        if source.startswith("/static/"):
            assert finders.find(source.removeprefix("/static/")), source
        else:
            response = client.get(source)
            assert response.status_code == 200, source
            assert response["Content-Type"].startswith("application/javascript")
