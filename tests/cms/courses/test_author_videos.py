"""Course authors upload their lesson videos themselves, into the "Course videos"
collection, through Wagtail's own document screens: only real MP4/WebM files up to the size
limit, chosen and managed by their uploader alone, served to the lesson's learners."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.documents import get_document_model
from wagtail.models import Collection
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from accounts.roles import Role
from cms.courses.models import LessonPage
from cms.courses.services.authors import course_author_grant, course_authors_group_ensure
from cms.courses.videos import COURSE_VIDEOS_COLLECTION, course_videos_collection, video_kind
from tests.accounts.factories import UserFactory, enrol_totp
from tests.cms.courses.factories import (
    CourseFactory,
    EnrolmentFactory,
    add_lesson,
    add_module,
    course_index,
)
from tests.marketplace.practitioners.factories import PractitionerProfileFactory

pytestmark = pytest.mark.django_db

Document = get_document_model()

# An ISO base media file: a 24-byte ftyp box (brand mp42) and an empty mdat box.
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00\x00\x00\x08mdat"
# An EBML header whose DocType is "webm".
WEBM = (
    b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08"
    b"\x42\x82\x84webm\x42\x87\x81\x04\x42\x85\x81\x02"
)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 20
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"


@pytest.fixture(autouse=True)
def _documents_through_django(settings):
    settings.WAGTAILDOCS_SERVE_METHOD = "serve_view"


def signed_in(client, user):
    enrol_totp(user)
    client.force_login(user)
    return client


def new_author(name: str):
    profile = PractitionerProfileFactory(
        display_name=name, user=UserFactory(roles=[Role.PRACTITIONER])
    )
    course_index()
    course_author_grant(user=profile.user)
    return profile


def upload(client, name: str, content: bytes, title: str | None = None):
    return client.post(
        reverse("wagtaildocs:add"),
        {"title": title or name, "file": SimpleUploadedFile(name, content)},
    )


def served(client, document) -> int:
    url = reverse("wagtaildocs_serve", args=[document.pk, document.filename])
    response = client.get(url)
    if response.status_code == 200:
        b"".join(response.streaming_content)
    return response.status_code


def denied(response) -> bool:
    """Wagtail's refusal (403, or back to the dashboard with a message) or a 404."""
    if response.status_code == 302:
        return response["Location"] == "/cms/"
    return response.status_code in (403, 404)


def chooser_html(client) -> str:
    response = client.get(reverse("wagtaildocs_chooser:choose"))
    assert response.status_code == 200
    return json.loads(response.content)["html"]


@pytest.fixture
def anna(client):
    """Author Anna, signed in on `client`, with a course, a module and a video lesson."""
    profile = new_author("Anna")
    signed_in(client, profile.user)
    course = CourseFactory(title="Anna breathing", instructor=profile, owner=profile.user)
    module = add_module(course)
    lesson = add_lesson(module, owner=profile.user, title="Box breathing")
    return {"profile": profile, "user": profile.user, "course": course, "lesson": lesson}


@pytest.fixture
def ben_client(client):
    profile = new_author("Ben")
    return signed_in(type(client)(), profile.user), profile.user


def anna_video(client, title="Anna box breathing video") -> Document:
    response = upload(client, "box-breathing.mp4", MP4, title=title)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Document.objects.get(title=title)


# --- the collection and the group ----------------------------------------------------------


def test_wagtail_uses_the_course_document_policy():
    from wagtail.permissions import policy_registry

    from cms.courses.permissions import CourseDocumentPermissionPolicy

    assert isinstance(policy_registry.get_by_type(Document), CourseDocumentPermissionPolicy)


def test_authors_may_add_and_choose_only_in_course_videos():
    group = course_authors_group_ensure()
    again = course_authors_group_ensure()
    assert again == group
    videos = course_videos_collection()
    assert videos is not None and videos.get_parent().depth == 1
    assert Collection.objects.filter(name=COURSE_VIDEOS_COLLECTION).count() == 1
    granted = {(p.collection_id, p.permission.codename) for p in group.collection_permissions.all()}
    assert granted == {(videos.pk, "add_document"), (videos.pk, "choose_document")}


# --- uploads ---------------------------------------------------------------------------------


def test_an_author_uploads_an_mp4_into_course_videos(client, anna):
    document = anna_video(client)
    assert document.collection == course_videos_collection()
    assert document.uploaded_by_user == anna["user"]
    assert document.file.read().startswith(b"\x00\x00\x00\x18ftyp")


def test_a_webm_is_a_video_too(client, anna):
    response = upload(client, "stretch.webm", WEBM)
    assert response.status_code == 302
    assert Document.objects.get(title="stretch.webm").collection == course_videos_collection()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("lesson.mp4", PNG),  # a picture renamed
        ("lesson.mp4", b"just some text, honestly a video"),
        ("lesson.mp4", HEIC),  # same box layout as MP4, but a still image
        ("lesson.webm", MP4),  # content and name disagree
        ("lesson.mp4", b""),
        ("notes.txt", b"plain text"),  # allowed elsewhere, not as a lesson video
        ("slides.pdf", b"%PDF-1.7\n"),
    ],
)
def test_anything_but_a_real_video_is_refused_with_a_form_error(client, anna, name, content):
    response = upload(client, name, content)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "file" in errors, errors
    # One clear message, not Wagtail's 'File extension “”' for the file it no longer holds.
    assert not any("“”" in message for message in errors["file"]), errors
    assert not Document.objects.exists()


def test_a_fake_video_is_refused_by_the_multiple_uploader_too(client, anna):
    response = client.post(
        reverse("wagtaildocs:add_multiple"),
        {"files[]": SimpleUploadedFile("lesson.mp4", PNG)},
    )
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["success"] is False
    assert "MP4 or WebM" in body["error_message"]
    assert not Document.objects.exists()
    ok = client.post(
        reverse("wagtaildocs:add_multiple"),
        {"files[]": SimpleUploadedFile("lesson.mp4", MP4)},
    )
    assert json.loads(ok.content)["success"] is True
    assert Document.objects.get().uploaded_by_user == anna["user"]


def test_a_video_over_the_size_limit_is_refused(client, anna, settings):
    settings.COURSE_VIDEO_MAX_BYTES = len(MP4) - 1
    response = upload(client, "long.mp4", MP4)
    assert response.status_code == 200
    assert "too big" in str(response.context["form"].errors["file"])
    assert not Document.objects.exists()
    settings.COURSE_VIDEO_MAX_BYTES = len(MP4)
    assert upload(client, "long.mp4", MP4).status_code == 302


def test_the_chooser_upload_tab_checks_the_file_as_well(client, anna):
    url = reverse("wagtaildocs_chooser:create")
    fake = client.post(
        url,
        {
            "document-chooser-upload-title": "fake",
            "document-chooser-upload-file": SimpleUploadedFile("fake.mp4", PNG),
        },
    )
    assert fake.status_code == 200
    assert json.loads(fake.content)["step"] == "reshow_creation_form"
    real = client.post(
        url,
        {
            "document-chooser-upload-title": "real",
            "document-chooser-upload-file": SimpleUploadedFile("real.mp4", MP4),
        },
    )
    assert json.loads(real.content)["step"] == "chosen"
    assert list(Document.objects.values_list("title", flat=True)) == ["real"]


def test_editors_keep_videos_in_course_videos_and_documents_elsewhere(client, anna):
    course_authors_group_ensure()
    editor = signed_in(type(client)(), UserFactory(roles=[Role.EDITOR]))
    root = Collection.get_first_root_node()
    videos = course_videos_collection()

    def editor_upload(name, content, collection):
        return editor.post(
            reverse("wagtaildocs:add"),
            {"title": name, "file": SimpleUploadedFile(name, content), "collection": collection.pk},
        )

    assert editor_upload("worksheet.pdf", b"%PDF-1.7\n", root).status_code == 302
    assert editor_upload("intro.mp4", MP4, videos).status_code == 302
    misplaced = editor_upload("loose.mp4", MP4, root)
    assert misplaced.status_code == 200
    assert "Course videos" in str(misplaced.context["form"].errors["file"])
    # Moving a worksheet into Course videos is refused as well.
    worksheet = Document.objects.get(title="worksheet.pdf")
    moved = editor.post(
        reverse("wagtaildocs:edit", args=[worksheet.pk]),
        {"title": "worksheet.pdf", "collection": videos.pk},
    )
    assert moved.status_code == 200
    worksheet.refresh_from_db()
    assert worksheet.collection == root


def test_bulk_moves_follow_the_same_rule(client, anna):
    video = anna_video(client)
    editor = signed_in(type(client)(), UserFactory(roles=[Role.EDITOR]))
    root = Collection.get_first_root_node()
    videos = course_videos_collection()
    worksheet = Document.objects.create(
        title="Worksheet",
        file=SimpleUploadedFile("worksheet.pdf", b"%PDF-1.7\n"),
        collection=root,
    )
    other = root.add_child(instance=Collection(name="Handouts"))

    def bulk_move(document, collection):
        url = reverse("wagtail_bulk_action", args=["wagtaildocs", "document", "add_to_collection"])
        return editor.post(
            f"{url}?id={document.pk}&next=/cms/documents/", {"collection": collection.pk}
        )

    for document, target in ((worksheet, videos), (video, root)):
        response = bulk_move(document, target)
        assert response.status_code == 302
        before = document.collection_id
        document.refresh_from_db()
        assert document.collection_id == before
    assert bulk_move(worksheet, other).status_code == 302
    worksheet.refresh_from_db()
    assert worksheet.collection == other


# --- who sees, chooses, edits and deletes ----------------------------------------------------


def test_the_author_sees_their_video_in_the_chooser_and_listing(client, anna):
    document = anna_video(client)
    assert document.title in chooser_html(client)
    listing = client.get(reverse("wagtaildocs:index"))
    assert listing.status_code == 200
    assert document.title in listing.content.decode()
    assert client.get(reverse("wagtaildocs:edit", args=[document.pk])).status_code == 200
    chosen = client.get(reverse("wagtaildocs_chooser:chosen", args=[document.pk]))
    assert json.loads(chosen.content)["step"] == "chosen"


def test_another_author_neither_sees_nor_touches_it(client, anna, ben_client):
    document = anna_video(client)
    ben, ben_user = ben_client
    ben_video = anna_video(ben, title="Ben sleep video")
    html = chooser_html(ben)
    assert document.title not in html and ben_video.title in html
    assert ben_video.title not in chooser_html(client)
    results = ben.get(reverse("wagtaildocs_chooser:choose_results"), {"q": "video"})
    found = results.content.decode()
    assert ben_video.title in found and document.title not in found
    listing = ben.get(reverse("wagtaildocs:index")).content.decode()
    assert document.title not in listing and ben_video.title in listing
    # Nor by guessing its id in the chooser's "chosen" step.
    chosen = ben.get(reverse("wagtaildocs_chooser:chosen", args=[document.pk]))
    assert denied(chosen) and document.filename not in chosen.content.decode()
    both = ben.get(
        reverse("wagtaildocs_chooser:chosen_multiple"), {"id": [document.pk, ben_video.pk]}
    )
    assert document.title not in both.content.decode()
    for name in ("wagtaildocs:edit", "wagtaildocs:delete", "wagtaildocs:document_usage"):
        url = reverse(name, args=[document.pk])
        assert denied(ben.get(url)), name
        assert denied(ben.post(url, {"title": "Taken"})), name
    assert denied(
        ben.post(reverse("wagtaildocs:edit_multiple", args=[document.pk]), {"title": "x"})
    )
    assert denied(ben.post(reverse("wagtaildocs:delete_multiple", args=[document.pk])))
    document.refresh_from_db()
    assert document.title == "Anna box breathing video"
    assert Document.objects.filter(pk=document.pk).exists()


def test_authors_see_no_documents_outside_course_videos(client, anna):
    worksheet = Document.objects.create(
        title="Library worksheet",
        file=SimpleUploadedFile("worksheet.pdf", b"%PDF-1.7\n"),
        collection=Collection.get_first_root_node(),
    )
    assert worksheet.title not in chooser_html(client)
    assert worksheet.title not in client.get(reverse("wagtaildocs:index")).content.decode()
    assert denied(client.get(reverse("wagtaildocs_chooser:chosen", args=[worksheet.pk])))
    assert denied(client.get(reverse("wagtaildocs:edit", args=[worksheet.pk])))


def test_editors_see_every_authors_videos(client, anna):
    document = anna_video(client)
    editor = signed_in(type(client)(), UserFactory(roles=[Role.EDITOR]))
    assert document.title in chooser_html(editor)
    assert document.title in editor.get(reverse("wagtaildocs:index")).content.decode()
    assert editor.get(reverse("wagtaildocs:edit", args=[document.pk])).status_code == 200


# --- the lesson and serving ------------------------------------------------------------------


def lesson_form(lesson: LessonPage, **changes) -> dict:
    fields = {
        "title": lesson.title,
        "slug": lesson.slug,
        "kind": "video",
        "body": streamfield([]),
        "video": "",
        "duration_seconds": "120",
        "questions": streamfield([]),
        "pass_mark_percent": "70",
        "is_required": "on",
        "drip_days": "0",
        "comments": inline_formset([]),
    }
    fields.update(changes)
    return nested_form_data(fields)


def test_the_author_puts_their_video_on_their_lesson_and_learners_get_it(client, anna):
    document = anna_video(client)
    lesson = anna["lesson"]
    response = client.post(
        reverse("wagtailadmin_pages:edit", args=[lesson.pk]), lesson_form(lesson, video=document.pk)
    )
    assert response.status_code == 302, response.context["form"].errors
    lesson = LessonPage.objects.get(pk=lesson.pk)
    draft = lesson.get_latest_revision_as_object()
    assert draft.video_id == document.pk and draft.kind == "video"
    # An editor approves: the lesson goes live with the video.
    lesson.get_latest_revision().publish()
    lesson = LessonPage.objects.get(pk=lesson.pk)
    assert lesson.video_id == document.pk

    learner = EnrolmentFactory(course=anna["course"]).user
    learner_client = type(client)()
    learner_client.force_login(learner)
    assert served(learner_client, document) == 200
    assert served(type(client)(), document) == 404
    stranger = type(client)()
    stranger.force_login(UserFactory())
    assert served(stranger, document) == 404
    assert served(client, document) == 200  # the author, previewing


def test_an_author_cannot_put_someone_elses_video_on_their_lesson(client, anna, ben_client):
    ben, _ = ben_client
    bens = anna_video(ben, title="Ben sleep video")
    lesson = anna["lesson"]
    response = client.post(
        reverse("wagtailadmin_pages:edit", args=[lesson.pk]), lesson_form(lesson, video=bens.pk)
    )
    assert response.status_code == 200
    assert "video" in response.context["form"].errors
    assert LessonPage.objects.get(pk=lesson.pk).get_latest_revision_as_object().video_id is None
    # So Anna, who may edit her lesson, is still not served Ben's file.
    assert served(client, bens) == 404


def test_an_unused_upload_is_served_to_its_uploader_and_editors_only(client, anna, ben_client):
    document = anna_video(client)
    assert served(client, document) == 200
    ben, _ = ben_client
    assert served(ben, document) == 404
    assert served(type(client)(), document) == 404
    editor = signed_in(type(client)(), UserFactory(roles=[Role.EDITOR]))
    assert served(editor, document) == 200


def test_bad_inputs_never_500(client, anna):
    cases = [
        client.post(reverse("wagtaildocs:add"), {"title": "no file"}),
        client.post(reverse("wagtaildocs:add"), {"title": "x", "file": "not a file"}),
        client.post(reverse("wagtaildocs:add_multiple"), {}),
        client.get(reverse("wagtaildocs:edit", args=[999999])),
        client.get(reverse("wagtaildocs_chooser:chosen", args=[999999])),
        client.post(
            reverse("wagtailadmin_pages:edit", args=[anna["lesson"].pk]),
            lesson_form(anna["lesson"], video="not-a-number"),
        ),
        client.post(
            reverse("wagtailadmin_pages:edit", args=[anna["lesson"].pk]),
            lesson_form(anna["lesson"], video="999999"),
        ),
    ]
    assert all(response.status_code < 500 for response in cases), [r.status_code for r in cases]


def test_video_kind_reads_content_not_names():
    assert video_kind(MP4) == "mp4"
    assert video_kind(WEBM) == "webm"
    assert video_kind(PNG) is None
    assert video_kind(HEIC) is None
    assert video_kind(b"\x1a\x45\xdf\xa3" + b"\x00" * 10 + b"matroska") is None
    assert video_kind(b"") is None
