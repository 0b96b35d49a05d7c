"""Every kind of viewer × every access level × every surface: the page, the REST API,
search (page and API) and the file download. Content opens exactly when it should; a locked
item shows its teaser and a way in, never its body or files."""

import pytest
from django.test import Client

from cms.library.entitlements import AccessLevel
from tests.cms.library.factories import PDF_BYTES, LibraryItemFactory, purchase, viewer

pytestmark = pytest.mark.django_db

SECRET = "quokkasecretword"
TEASER_WORD = "lanternteaser"
LEVELS = [level.value for level in AccessLevel]
VIEWERS = ["anonymous", "free", "member", "premium", "purchaser"]
OPENS = {
    "anonymous": {"public"},
    "free": {"public", "account"},
    "member": {"public", "account", "member"},
    # Premium promises "every library item and course": credits-priced items included.
    "premium": {"public", "account", "member", "premium", "credits"},
    "purchaser": set(LEVELS),  # a free account that bought this very item
}
WAY_IN = {
    ("anonymous", "account"): "sign_up",
    ("anonymous", "member"): "sign_up",
    ("anonymous", "premium"): "sign_up",
    ("anonymous", "credits"): "sign_up",
    ("free", "member"): "join",
    ("free", "premium"): "join",
    ("free", "credits"): "buy_credits",  # no credits in the wallet
    ("member", "premium"): "upgrade",
    ("member", "credits"): "buy_credits",
}


@pytest.fixture(params=VIEWERS)
def kind(request):
    return request.param


@pytest.fixture(params=LEVELS)
def level(request):
    return request.param


@pytest.fixture
def item(level):
    return LibraryItemFactory(
        title=f"Item at {level}",
        access_level=level,
        teaser=f"The {TEASER_WORD} everyone may read.",
        body=[{"type": "rich_text", "value": f"<p>Only for those let in: {SECRET}.</p>"}],
        worksheet=PDF_BYTES,
    )


@pytest.fixture
def client_for(kind, item):
    user = viewer(kind)
    if kind == "purchaser":
        purchase(user=user, page=item)
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _is_open(kind, level) -> bool:
    return level in OPENS[kind]


def test_page(kind, level, item, client_for):
    response = client_for.get(item.url)

    assert response.status_code == 200
    content = response.content.decode()
    assert TEASER_WORD in content
    assert (SECRET in content) is _is_open(kind, level)
    assert (item.worksheet_file.name in content) is _is_open(kind, level)
    if _is_open(kind, level):
        assert response.context["way_in"] is None
    else:
        assert response.context["way_in"].action == WAY_IN[(kind, level)]
        assert response["Cache-Control"] == "private, no-store"


def test_api_detail(kind, level, item, client_for):
    response = client_for.get(f"/api/v1/library/{item.pk}/")

    assert response.status_code == 200
    data = response.json()
    assert data["teaser"] == item.teaser
    assert data["locked"] is not _is_open(kind, level)
    assert (SECRET in response.content.decode()) is _is_open(kind, level)
    if _is_open(kind, level):
        assert set(data["files"]) == {"worksheet"}
        assert data["unlock"] is None
    else:
        assert data["body"] is None and data["files"] == {} and data["video_url"] is None
        assert data["unlock"]["action"] == WAY_IN[(kind, level)]
        assert item.worksheet_file.name not in response.content.decode()


def test_search_page(kind, level, item, client_for):
    response = client_for.get("/library/", {"q": TEASER_WORD})

    content = response.content.decode()
    assert response.status_code == 200
    assert item.title in content
    assert SECRET not in content
    [entry] = response.context["entries"]
    assert entry["is_open"] is _is_open(kind, level)
    assert ("library-lock" in content) is not _is_open(kind, level)


def test_search_never_matches_body_text(kind, level, item, client_for):
    assert client_for.get("/library/", {"q": SECRET}).context["entries"] == []
    assert client_for.get("/api/v1/library/", {"q": SECRET}).json()["count"] == 0


def test_api_search(kind, level, item, client_for):
    response = client_for.get("/api/v1/library/", {"q": TEASER_WORD})

    assert response.status_code == 200
    [result] = response.json()["results"]
    assert result["id"] == item.pk
    assert result["locked"] is not _is_open(kind, level)
    assert "body" not in result and "files" not in result
    assert SECRET not in response.content.decode()


def test_download(kind, level, item, client_for):
    response = client_for.get(f"/library/files/{item.worksheet_file.name}")

    if _is_open(kind, level):
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF_BYTES
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["Cache-Control"] == "private, no-store"
    else:
        assert response.status_code == 404
