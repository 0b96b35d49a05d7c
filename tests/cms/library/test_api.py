"""The library API's shapes, filters and errors (400/404, never 500)."""

import pytest
from rest_framework.test import APIClient

from tests.cms.library.factories import LibraryItemFactory, TopicFactory
from tests.marketplace.practitioners.factories import ModalityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def catalogue():
    sleep, stress = (
        TopicFactory(name="Sleep", slug="sleep"),
        TopicFactory(name="Stress", slug="stress"),
    )
    yoga = ModalityFactory(name="Yoga", slug="yoga")
    return {
        "article": LibraryItemFactory(
            title="Sleep hygiene", format="article", level="beginner", topics=[sleep]
        ),
        "video": LibraryItemFactory(
            title="Evening yoga",
            format="video",
            level="intermediate",
            modality=yoga,
            topics=[sleep, stress],
            access_level="member",
        ),
        "audio": LibraryItemFactory(
            title="Body scan",
            format="audio",
            level="advanced",
            topics=[stress],
            access_level="credits",
            credit_price=3,
        ),
    }


def _titles(response):
    return [item["title"] for item in response.json()["results"]]


def test_listing_shape(api, catalogue):
    response = api.get("/api/v1/library/")

    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 3 and data["next"] is None and data["previous"] is None
    audio = next(item for item in data["results"] if item["title"] == "Body scan")
    assert audio["locked"] is True
    assert audio["credit_price"] == 3
    assert audio["unlock"]["action"] == "sign_up"
    assert audio["unlock"]["url"].startswith("/accounts/signup/?next=")
    assert audio["topics"] == [{"slug": "stress", "name": "Stress"}]
    assert "body" not in audio


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"format": "video"}, {"Evening yoga"}),
        ({"level": "advanced"}, {"Body scan"}),
        ({"modality": "yoga"}, {"Evening yoga"}),
        ({"topic": "sleep"}, {"Sleep hygiene", "Evening yoga"}),
        ({"topic": "stress", "format": "audio"}, {"Body scan"}),
        ({"q": "yoga"}, {"Evening yoga"}),
        ({"q": "stress"}, {"Evening yoga", "Body scan"}),  # topics are searchable
        ({"q": "hygiene", "topic": "sleep"}, {"Sleep hygiene"}),
        ({"q": "hygiene", "topic": "stress"}, set()),
    ],
)
def test_filters(api, catalogue, params, expected):
    response = api.get("/api/v1/library/", params)
    assert response.status_code == 200
    assert set(_titles(response)) == expected


def test_pagination(api):
    for _ in range(5):
        LibraryItemFactory()
    first = api.get("/api/v1/library/", {"limit": 2}).json()
    last = api.get("/api/v1/library/", {"limit": 2, "offset": 4}).json()

    assert first["count"] == 5 and len(first["results"]) == 2
    assert "offset=2" in first["next"]
    assert len(last["results"]) == 1 and last["next"] is None and "offset=2" in last["previous"]


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"format": "podcast"}, "unknown_format"),
        ({"level": "expert"}, "unknown_level"),
        ({"topic": "nope"}, "unknown_topic"),
        ({"modality": "nope"}, "unknown_modality"),
        ({"q": "x" * 201}, "invalid_query"),
        ({"q": "a\x00b"}, "invalid"),  # refused before the view (config.middleware)
        ({"limit": "0"}, "invalid_pagination"),
        ({"limit": "abc"}, "invalid_pagination"),
        ({"offset": "-1"}, "invalid_pagination"),
        ({"limit": "1000"}, "invalid_pagination"),
    ],
)
def test_bad_filters_are_400(api, catalogue, params, code):
    response = api.get("/api/v1/library/", params)
    assert response.status_code == 400
    assert response.json()["code"] == code


def test_odd_search_text_is_fine(api, catalogue):
    for text in ['"', "AND OR NOT", "*", "((", "sleep'; drop table", "é😀"]:
        assert api.get("/api/v1/library/", {"q": text}).status_code == 200


def test_detail_of_missing_or_draft_items_is_404(api):
    draft = LibraryItemFactory(live=False)
    # Ids past a 32-bit page id (2**70 overflows the database driver) name nothing too.
    for item_id in (draft.pk, 999999, 2**31, 2**70):
        url = f"/api/v1/library/{item_id}/"
        response = api.get(url)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_detail_of_an_open_item_has_rendered_body_and_file_links(api):
    from tests.cms.library.factories import PDF_BYTES

    item = LibraryItemFactory(
        body=[{"type": "rich_text", "value": "<p>Hello <b>there</b></p>"}],
        worksheet=PDF_BYTES,
        format="worksheet",
    )
    data = api.get(f"/api/v1/library/{item.pk}/").json()

    assert data["locked"] is False
    assert data["body"][0]["type"] == "rich_text"
    assert "<b>there</b>" in data["body"][0]["value"]
    assert data["files"]["worksheet"].endswith(f"/library/files/{item.worksheet_file.name}")


def test_the_schema_documents_the_library(api):
    response = api.get("/api/v1/schema/")
    assert response.status_code == 200
    assert b"/api/v1/library/{item_id}/purchase/" in response.content
