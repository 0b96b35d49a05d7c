"""Page types: where they may be created, that they route, render, edit and preview."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

from cms.library.models import LibraryIndexPage, LibraryItemPage, Topic
from tests.accounts.factories import UserFactory, enrol_totp
from tests.cms.library.factories import LibraryItemFactory, TopicFactory, library_index


class LibraryPageTypesTests(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.index = library_index()
        cls.topic = TopicFactory(name="Sleep", slug="sleep")
        cls.item = LibraryItemFactory(
            title="Wind down", access_level="member", topics=[cls.topic], parent=cls.index
        )
        cls.editor = UserFactory(is_superuser=True, is_staff=True)
        enrol_totp(cls.editor)  # staff must have a second factor to use the admin

    def test_items_live_only_under_the_index(self):
        self.assertAllowedParentPageTypes(LibraryItemPage, {LibraryIndexPage})
        self.assertAllowedSubpageTypes(LibraryIndexPage, {LibraryItemPage})
        self.assertAllowedSubpageTypes(LibraryItemPage, set())
        self.assertCanCreateAt(LibraryIndexPage, LibraryItemPage)
        self.assertCanNotCreateAt(Page, LibraryItemPage)

    def test_there_is_one_index(self):
        self.assertFalse(LibraryIndexPage.can_create_at(self.index.get_parent()))

    def test_pages_route_and_render(self):
        self.assertPageIsRoutable(self.index)
        self.assertPageIsRoutable(self.item)
        self.assertPageIsRoutable(self.item, "buy/")
        self.assertPageIsRenderable(self.index)
        self.assertPageIsRenderable(self.item)

    def test_editors_can_edit_and_preview(self):
        self.assertPageIsEditable(
            self.item, user=self.editor, post_data=self.item_form_data(title=self.item.title)
        )
        self.assertPageIsEditable(
            self.index,
            user=self.editor,
            post_data={"title": "Library", "slug": "library", "intro": "", "items_per_page": "12"},
        )
        self.assertPageIsPreviewable(
            self.item, user=self.editor, post_data=self.item_form_data(title=self.item.title)
        )
        self.assertPageIsPreviewable(self.index, user=self.editor)

    def test_previews_show_the_whole_item_whatever_its_level(self):
        draft = LibraryItemPage.objects.get(pk=self.item.pk)
        draft.body = [{"type": "rich_text", "value": "<p>previewed body text</p>"}]

        response = draft.make_preview_request()

        self.assertContains(response, "previewed body text")
        self.assertNotContains(response, "library-locked")

    def test_an_editor_creates_an_item_in_the_admin(self):
        data = self.item_form_data(title="Breathing basics", access_level="public")
        self.assertCanCreate(self.index, LibraryItemPage, data, user=self.editor)

    def item_form_data(self, **changes):
        from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

        data = {
            "title": "An item",
            "slug": "an-item",
            "teaser": "Short and public.",
            "format": "article",
            "level": "beginner",
            "access_level": "public",
            "credit_price": "",
            "duration_minutes": "5",
            "video_url": "",
            "topics": [self.topic.pk],
            "body": streamfield([("rich_text", rich_text("<p>Hello</p>"))]),
        }
        data.update(changes)
        data["slug"] = data["title"].lower().replace(" ", "-")
        return nested_form_data(data)

    def assertCanCreate(self, parent, model, data, user):  # noqa: N802 (Wagtail's name)
        self.client.force_login(user)
        super().assertCanCreate(parent, model, data)


@pytest.mark.django_db
def test_an_item_sold_for_credits_needs_a_price():
    item = LibraryItemPage(
        title="x", slug="x", format="article", teaser="t", access_level="credits"
    )
    with pytest.raises(ValidationError) as raised:
        item.clean()
    assert "credit_price" in raised.value.message_dict


@pytest.mark.django_db
def test_the_database_refuses_an_unpriced_credits_item():
    item = LibraryItemFactory(access_level="credits", credit_price=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        LibraryItemPage.objects.filter(pk=item.pk).update(credit_price=None)


@pytest.mark.django_db
def test_topics_get_a_slug_from_their_name():
    topic = Topic(name="Stress & Anxiety")
    topic.full_clean()
    assert topic.slug == "stress-anxiety"


@pytest.mark.django_db
def test_search_index_holds_only_what_a_locked_viewer_may_see():
    searched = {
        field.field_name
        for field in LibraryItemPage.get_search_fields()
        if field.__class__.__name__ in ("SearchField", "AutocompleteField", "RelatedFields")
    }
    assert searched == {"title", "teaser", "topics"}
