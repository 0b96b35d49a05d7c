"""The staff screen in the Wagtail admin: state, token, counts, errors, runs, Sync now."""

import pytest
from django.test import Client
from django.utils import timezone

from accounts.roles import Role
from cms.contentful_sync.models import ContentfulRecord, ContentfulSyncRun
from cms.contentful_sync.services import contentful_sync_run, contentful_sync_state
from integrations.contentful.local import LocalContentful
from tests.accounts.factories import UserFactory, enrol_totp

pytestmark = pytest.mark.django_db

STATUS_URL = "/cms/contentful-sync/"
SYNC_URL = "/cms/contentful-sync/sync/"


def _login(client, **kwargs):
    user = UserFactory(**kwargs)
    enrol_totp(user)
    client.force_login(user)
    return user


@pytest.fixture
def staff_client(client):
    _login(client, roles=[Role.STAFF])
    return client


def test_staff_see_state_token_counts_errors_and_runs(staff_client):
    LocalContentful.publish(content_type="cat", entry_id="tom", fields={"name": "Tom"})
    LocalContentful.publish(content_type="article", entry_id="a1", fields={"title": "No index yet"})
    contentful_sync_run()
    token = contentful_sync_state().next_token

    response = staff_client.get(STATUS_URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Idle" in html
    assert token[:24] in html and token not in html  # truncated
    assert "Mirrored content (2, 0 deleted)" in html
    assert "library index page" in html  # the article waiting for its parent page
    assert "Succeeded" in html
    assert "Sync now" in html


def test_the_menu_shows_the_screen_to_staff_only(client):
    staff = Client()
    _login(staff, roles=[Role.STAFF])
    _login(client, roles=[Role.EDITOR])

    assert STATUS_URL in staff.get("/cms/").content.decode()
    assert STATUS_URL not in client.get("/cms/").content.decode()


@pytest.mark.parametrize("roles", [[Role.EDITOR], []])
def test_others_may_not_see_or_sync(client, roles):
    _login(client, roles=roles)

    assert client.get(STATUS_URL).status_code in (302, 403)
    assert client.post(SYNC_URL).status_code in (302, 403)
    assert not ContentfulSyncRun.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(STATUS_URL)

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_sync_now_needs_post_with_csrf_and_enqueues_a_sync(django_capture_on_commit_callbacks):
    client = Client(enforce_csrf_checks=True)
    _login(client, roles=[Role.STAFF])
    LocalContentful.publish(content_type="cat", entry_id="tom", fields={"name": "Tom"})

    assert client.get(SYNC_URL).status_code == 405
    assert client.post(SYNC_URL).status_code == 403  # no CSRF token
    page = client.get(STATUS_URL)
    csrf = page.context["csrf_token"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SYNC_URL, {"csrfmiddlewaretoken": str(csrf)})

    assert response.status_code == 302 and response["Location"] == STATUS_URL
    run = ContentfulSyncRun.objects.get()
    assert (run.trigger, run.is_full) == ("staff", False)
    assert ContentfulRecord.objects.filter(contentful_id="tom").exists()


def test_full_sync_from_the_screen(staff_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(SYNC_URL, {"full": "1"})

    assert ContentfulSyncRun.objects.get().is_full


def test_the_screen_costs_the_same_queries_for_10_or_200_records(
    staff_client, django_assert_max_num_queries
):
    def records(count, offset):
        now = timezone.now()
        ContentfulRecord.objects.bulk_create(
            ContentfulRecord(
                sys_type="Entry",
                contentful_id=f"e{offset + n}",
                content_type=f"type{(offset + n) % 7}",
                first_synced_at=now,
                last_seen_at=now,
                apply_error="broken" if n % 3 == 0 else "",
            )
            for n in range(count)
        )
        ContentfulSyncRun.objects.bulk_create(
            ContentfulSyncRun(started_at=now, outcome="succeeded", error="x" * (n % 2))
            for n in range(count // 10)
        )

    records(10, 0)
    with django_assert_max_num_queries(40) as small:
        staff_client.get(STATUS_URL)
    records(190, 10)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = staff_client.get(STATUS_URL)
    assert "Mirrored content (200, 0 deleted)" in response.content.decode()
