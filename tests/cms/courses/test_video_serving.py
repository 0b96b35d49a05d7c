"""Lesson videos are Wagtail documents: /documents/<id>/<name> serves them only to the
learners the lesson is open to and to people who may edit it."""

import pytest
from django.urls import reverse

from tests.accounts.factories import UserFactory
from tests.cms.courses.factories import (
    CourseFactory,
    EnrolmentFactory,
    add_lesson,
    add_module,
    video_document,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _documents_through_django(settings):
    settings.WAGTAILDOCS_SERVE_METHOD = "serve_view"


def video_lesson(**fields):
    course = CourseFactory()
    document = video_document()
    lesson = add_lesson(
        add_module(course), kind="video", video=document, duration_seconds=60, **fields
    )
    return course, lesson, document


def document_url(document) -> str:
    return reverse("wagtaildocs_serve", args=[document.pk, document.filename])


def test_an_enrolled_learner_gets_the_video(client):
    course, _lesson, document = video_lesson()
    learner = EnrolmentFactory(course=course).user
    client.force_login(learner)
    response = client.get(document_url(document))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\x00\x00\x00\x18ftyp")


@pytest.mark.parametrize("who", ["anonymous", "signed-in stranger"])
def test_anyone_else_gets_a_404_for_a_guessed_address(client, who):
    _course, _lesson, document = video_lesson()
    if who != "anonymous":
        client.force_login(UserFactory())
    assert client.get(document_url(document)).status_code == 404


def test_a_video_still_dripping_stays_closed_to_the_learner(client):
    course, _lesson, document = video_lesson(drip_days=7)
    client.force_login(EnrolmentFactory(course=course).user)
    assert client.get(document_url(document)).status_code == 404


def test_a_document_no_lesson_uses_is_served_as_wagtail_serves_it(client):
    document = video_document("brochure.mp4")
    assert client.get(document_url(document)).status_code == 200
