"""The library index page: filters, search, pagination and odd input."""

import pytest
from wagtail.test.utils import WagtailTestUtils

from cms.library.wagtail_hooks import reindex_after_topic_edit
from tests.cms.library.factories import LibraryItemFactory, TopicFactory, library_index
from tests.marketplace.practitioners.factories import ModalityFactory

pytestmark = pytest.mark.django_db


def _titles(response) -> set[str]:
    return {entry["item"].title for entry in response.context["entries"]}


def test_filters_and_search_narrow_the_list(client):
    calm = TopicFactory(name="Calm", slug="calm")
    yoga = ModalityFactory(name="Yoga", slug="yoga")
    LibraryItemFactory(title="Calm breathing", format="audio", topics=[calm])
    LibraryItemFactory(title="Yoga for backs", format="video", modality=yoga, level="advanced")
    LibraryItemFactory(title="Morning pages", format="worksheet")

    assert _titles(client.get("/library/")) == {"Calm breathing", "Yoga for backs", "Morning pages"}
    assert _titles(client.get("/library/", {"topic": "calm"})) == {"Calm breathing"}
    assert _titles(client.get("/library/", {"modality": "yoga"})) == {"Yoga for backs"}
    assert _titles(client.get("/library/", {"level": "advanced"})) == {"Yoga for backs"}
    assert _titles(client.get("/library/", {"format": "worksheet"})) == {"Morning pages"}
    assert _titles(client.get("/library/", {"q": "morning"})) == {"Morning pages"}
    response = client.get("/library/", {"format": "audio"})
    assert '<option value="audio" selected>' in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"format": "podcast"},
        {"topic": "nope"},
        {"modality": "<script>"},
        {"level": "x" * 500},
        {"q": '"unterminated'},
        {"q": "((*"},
        {"q": "x" * 5000},
        {"page": "abc"},
        {"page": "999"},
        {"page": "-1"},
    ],
)
def test_odd_input_never_breaks_the_page(client, params):
    LibraryItemFactory()
    response = client.get("/library/", params)
    assert response.status_code == 200


def test_pagination_keeps_the_filters(client):
    index = library_index(items_per_page=2)
    index.items_per_page = 2
    index.save_revision().publish()
    for number in range(5):
        LibraryItemFactory(title=f"Worksheet {number}", format="worksheet")
    LibraryItemFactory(title="An article")

    first = client.get("/library/", {"format": "worksheet"})
    last = client.get("/library/", {"format": "worksheet", "page": "3"})

    assert len(first.context["entries"]) == 2
    assert 'href="?format=worksheet&amp;page=2"' in first.content.decode()
    assert _titles(last) == {"Worksheet 0"}


def test_editing_a_topic_reindexes_its_items(client):
    topic = TopicFactory(name="Grief", slug="grief")
    LibraryItemFactory(title="After a loss", topics=[topic])
    assert _titles(client.get("/library/", {"q": "grief"})) == {"After a loss"}

    topic.name = "Bereavement"
    topic.save()
    reindex_after_topic_edit(None, topic)

    assert _titles(client.get("/library/", {"q": "bereavement"})) == {"After a loss"}
    assert _titles(client.get("/library/", {"q": "grief"})) == set()


class TestTopicSnippetAdmin(WagtailTestUtils):
    def test_editors_edit_topics_and_items_follow(self, client):
        from tests.accounts.factories import UserFactory, enrol_totp

        editor = UserFactory(is_superuser=True, is_staff=True)
        enrol_totp(editor)
        client.force_login(editor)
        topic = TopicFactory(name="Focus", slug="focus")
        LibraryItemFactory(title="Deep work", topics=[topic])

        response = client.post(
            f"/cms/snippets/library/topic/edit/{topic.pk}/",
            {"name": "Concentration", "slug": "focus"},
        )

        assert response.status_code == 302
        assert _titles(client.get("/library/", {"q": "concentration"})) == {"Deep work"}
