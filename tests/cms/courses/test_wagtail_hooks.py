"""Practitioners author their own courses in the Wagtail admin and no one else's."""

import pytest

from accounts.roles import Role
from cms.courses.models import CoursePage, LessonPage
from cms.courses.services.authors import course_author_grant
from tests.accounts.factories import UserFactory, enrol_totp
from tests.cms.courses.factories import CourseFactory, add_lesson, add_module, course_index
from tests.marketplace.practitioners.factories import PractitionerProfileFactory

pytestmark = pytest.mark.django_db


def author(client, name: str):
    profile = PractitionerProfileFactory(
        display_name=name, user=UserFactory(roles=[Role.PRACTITIONER])
    )
    course_index()
    course_author_grant(user=profile.user)
    enrol_totp(profile.user)
    client.force_login(profile.user)
    return profile


def denied(response) -> bool:
    """Wagtail's own refusal (back to the dashboard) or our hooks' 404."""
    if response.status_code == 302:
        return response["Location"] == "/cms/"
    return response.status_code in (403, 404)


@pytest.fixture
def setup(client):
    """Practitioner A with a course (module and lesson); B signed in."""
    a_client = type(client)()
    a = author(a_client, "Anna")
    course = CourseFactory(title="Anna breathing course", instructor=a, owner=a.user)
    module = add_module(course)
    module.owner = a.user
    module.save()
    lesson = add_lesson(module, owner=a.user)
    b = author(client, "Ben")
    return {
        "a_client": a_client,
        "a": a,
        "course": course,
        "module": module,
        "lesson": lesson,
        "b": b,
    }


def test_b_does_not_see_as_course_in_the_explorer(client, setup):
    index = course_index()
    mine = CourseFactory(title="Ben sleep course", instructor=setup["b"], owner=setup["b"].user)
    listing = client.get(f"/cms/pages/{index.pk}/")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert mine.title in html
    assert "Anna breathing course" not in html
    inside = client.get(f"/cms/pages/{setup['course'].pk}/").content.decode()
    assert setup["module"].title not in inside


@pytest.mark.parametrize("target", ["course", "module", "lesson"])
def test_b_cannot_edit_delete_or_copy_as_pages(client, setup, target):
    page = setup[target]
    for action in ("edit", "delete", "copy", "move", "unpublish", "history"):
        response = client.get(f"/cms/pages/{page.pk}/{action}/")
        assert denied(response), (action, response.status_code)
    response = client.post(f"/cms/pages/{page.pk}/edit/", {"title": "Taken over"})
    assert denied(response)
    page.refresh_from_db()
    assert page.title != "Taken over"


def test_b_cannot_add_lessons_to_as_course(client, setup):
    url = f"/cms/pages/add/courses/lessonpage/{setup['module'].pk}/"
    assert denied(client.get(url))


def test_b_cannot_pick_as_pages_in_a_chooser(client, setup):
    html = client.get(f"/cms/choose-page/{course_index().pk}/").content.decode()
    assert "Anna" not in html


def test_a_edits_their_own_course_and_can_only_name_themselves_instructor(setup):
    a_client = setup["a_client"]
    course = setup["course"]
    response = a_client.get(f"/cms/pages/{course.pk}/edit/")
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.fields["instructor"].queryset) == [setup["a"]]
    assert a_client.get(f"/cms/pages/{setup['lesson'].pk}/edit/").status_code == 200


def test_an_author_creates_a_course_in_the_catalogue(setup):
    a_client = setup["a_client"]
    url = f"/cms/pages/add/courses/coursepage/{course_index().pk}/"
    assert a_client.get(url).status_code == 200


def test_editors_see_and_edit_every_course(client, setup):
    editor = UserFactory(roles=[Role.EDITOR])
    enrol_totp(editor)
    client.force_login(editor)
    html = client.get(f"/cms/pages/{course_index().pk}/").content.decode()
    assert "breathing course" in html
    assert client.get(f"/cms/pages/{setup['course'].pk}/edit/").status_code == 200


def test_only_practitioners_become_authors():
    from commerce.errors import InvalidRequest

    with pytest.raises(InvalidRequest):
        course_author_grant(user=UserFactory())
    assert not CoursePage.objects.exists() and not LessonPage.objects.exists()
