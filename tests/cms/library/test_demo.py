import pytest

from cms.library.demo import seed_library
from cms.library.entitlements import AccessLevel
from cms.library.models import ItemFormat, LibraryIndexPage, LibraryItemPage

pytestmark = pytest.mark.django_db


def test_seed_library_makes_items_of_every_format_and_level_once(client):
    lines = seed_library()
    again = seed_library()

    index = LibraryIndexPage.objects.get()
    items = LibraryItemPage.objects.child_of(index).live()
    assert index.slug == "library" and index.url == "/library/"
    assert items.count() >= 8
    assert {item.format for item in items} == set(ItemFormat.values)
    assert {item.access_level for item in items} == set(AccessLevel.values)
    assert "9 items; 9 new" in lines[0] and "0 new" in again[0]
    assert client.get("/library/").status_code == 200
    worksheet = items.filter(access_level="account", format="worksheet").get()
    assert worksheet.worksheet_file.read().startswith(b"%PDF")
    # The topics made it into the search index.
    assert client.get("/library/", {"q": "movement"}).context["results_page"].paginator.count == 2
