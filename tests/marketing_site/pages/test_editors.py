"""The Editors group can build, publish and review the site, manage testimonials, FAQs,
blog authors, images, documents and redirects, and nothing else; every page can go
through the "Editorial review" workflow."""

import pytest
from wagtail.models import Workflow

from accounts.roles import Role
from marketing_site.pages.models import LandingPage
from tests.accounts.factories import UserFactory, enrol_totp
from tests.marketing_site.pages.factories import LandingPageFactory, home_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    user = UserFactory(email="eli@example.org", roles=[Role.EDITOR])
    enrol_totp(user)  # editors must have a second factor to use the admin
    return user


@pytest.fixture
def landing():
    return LandingPageFactory(parent=home_page(), title="Spring", slug="spring")


def test_editors_add_edit_and_publish_pages_and_delete_only_leaves(editor, landing):
    permissions = landing.permissions_for_user(editor)
    home_permissions = landing.get_parent().permissions_for_user(editor)

    assert home_permissions.can_add_subpage()
    assert permissions.can_edit()
    assert permissions.can_publish()
    assert permissions.can_unpublish()
    assert permissions.can_delete()  # a page without children
    assert not home_permissions.can_delete()  # no bulk delete of whole sections
    assert LandingPage in home_permissions.page.specific_class.creatable_subpage_models()


def test_editors_have_exactly_the_model_permissions_they_need(editor):
    expected = {
        "wagtailadmin.access_admin",
        "cms_core.view_testimonial",
        "cms_core.add_testimonial",
        "cms_core.change_testimonial",
        "cms_core.delete_testimonial",
        "cms_core.view_faqitem",
        "cms_core.add_faqitem",
        "cms_core.change_faqitem",
        "cms_core.delete_faqitem",
        "pages.view_blogauthor",
        "pages.add_blogauthor",
        "pages.change_blogauthor",
        "pages.delete_blogauthor",
        "wagtailredirects.view_redirect",
        "wagtailredirects.add_redirect",
        "wagtailredirects.change_redirect",
        "wagtailredirects.delete_redirect",
        "leads.view_lead",
        "leads.view_funnel",
    }

    assert editor.get_all_permissions() == expected
    assert not editor.has_perm("auth.change_user")
    assert not editor.has_perm("accounts.change_user")
    assert not editor.has_perm("auth.change_group")
    assert not editor.has_perm("wagtailcore.add_workflow")
    assert not editor.has_perm("wagtailcore.change_site")
    assert not editor.has_perm("wagtailimages.delete_image")
    assert not editor.has_perm("leads.erase_person")


def test_editors_page_and_collection_permissions_are_exactly_these():
    from django.contrib.auth.models import Group
    from wagtail.models import GroupCollectionPermission, GroupPagePermission

    editors = Group.objects.get(name="Editors")
    page_rights = {
        (grant.page.depth, grant.permission.codename)
        for grant in GroupPagePermission.objects.filter(group=editors)
    }
    collection_rights = {
        (grant.collection.depth, grant.permission.codename)
        for grant in GroupCollectionPermission.objects.filter(group=editors)
    }

    # On Wagtail's root page and root collection, so every page and every folder.
    assert page_rights == {
        (1, "add_page"),
        (1, "change_page"),
        (1, "publish_page"),
        (1, "lock_page"),
        (1, "unlock_page"),
    }
    assert collection_rights == {
        (1, "add_image"),
        (1, "change_image"),
        (1, "choose_image"),
        (1, "add_document"),
        (1, "change_document"),
        (1, "choose_document"),
    }


def test_editors_use_images_and_documents(editor):
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.permissions import policy_registry

    for model in (get_image_model(), get_document_model()):
        policy = policy_registry.get_by_type(model)
        assert policy.user_has_permission(editor, "add")
        assert policy.user_has_permission(editor, "choose")


def test_editors_media_rights_come_from_the_collection_alone(editor):
    """Wagtail reads image rights from collection permissions: the change right there
    covers editing and deleting any image, and nothing model-wide adds to it."""
    from wagtail.images import get_image_model
    from wagtail.permissions import policy_registry

    from tests.cms.core.factories import ImageFactory

    policy = policy_registry.get_by_type(get_image_model())
    someone_elses = ImageFactory(uploaded_by_user=UserFactory(roles=[Role.EDITOR]))

    assert policy.user_has_permission_for_instance(editor, "change", someone_elses)
    assert policy.user_has_permission_for_instance(editor, "delete", someone_elses)
    assert not editor.has_perm("wagtailimages.delete_image")  # no model-wide grant


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/cms/", True),
        ("/cms/snippets/cms_core/testimonial/", True),
        ("/cms/snippets/cms_core/faqitem/", True),
        ("/cms/redirects/", True),
        ("/cms/images/", True),
        ("/cms/users/", False),
        ("/cms/groups/", False),
        ("/cms/sites/", False),
        ("/cms/workflows/list/", False),
    ],
)
def test_what_an_editor_reaches_in_the_admin(client, editor, path, allowed):
    home_page()
    client.force_login(editor)

    response = client.get(path)

    if allowed:
        assert response.status_code == 200
    else:
        assert response.status_code in (302, 403)
        if response.status_code == 302:
            assert response["Location"] != path


def test_pages_go_through_editorial_review(editor, landing):
    workflow = landing.get_workflow()

    assert workflow == Workflow.objects.get(name="Editorial review")
    assert [task.name for task in workflow.tasks] == ["Editorial review"]
    assert {group.name for group in workflow.tasks[0].specific.groups.all()} >= {"Editors"}


def test_one_editor_submits_and_another_approves_and_publishes(editor, landing):
    reviewer = UserFactory(email="rae@example.org", roles=[Role.EDITOR])
    landing.title = "Spring offer"
    revision = landing.save_revision(user=editor)

    state = landing.get_workflow().start(landing, editor)
    task_state = state.current_task_state
    task = task_state.task.specific

    assert "approve" in {action for action, _label, _modal in task.get_actions(landing, reviewer)}
    task.on_action(task_state, reviewer, "approve")

    landing.refresh_from_db()
    state.refresh_from_db()
    assert state.status == "approved"
    assert landing.title == "Spring offer"
    assert landing.live_revision_id == revision.pk
