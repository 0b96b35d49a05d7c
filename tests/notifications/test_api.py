"""/api/v1/notifications/: the list (own only, paged, newest first), marking read (404 for
anyone else's), read-all, and the preferences (GET the matrix, PUT changes; required
kinds and unavailable channels are 400 and nothing is saved)."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from notifications import selectors
from notifications.kinds import Category, Channel
from notifications.models import Notification, NotificationPreference, NotificationSettings
from tests.accounts.factories import UserFactory
from tests.notifications.ui_support import in_app_notification

pytestmark = pytest.mark.django_db

LIST = "/api/v1/notifications/"
READ_ALL = "/api/v1/notifications/read-all/"
PREFERENCES = "/api/v1/notifications/preferences/"


def _read(notification_id) -> str:
    return f"/api/v1/notifications/{notification_id}/read/"


@pytest.fixture
def person():
    return UserFactory(time_zone="Europe/Paris")


@pytest.fixture
def api(person):
    client = APIClient()
    client.force_authenticate(person)
    return client


@pytest.mark.parametrize(
    ("method", "url"),
    [("get", LIST), ("post", READ_ALL), ("post", _read(1)), ("get", PREFERENCES)],
)
def test_signed_out_is_401(method, url):
    response = getattr(APIClient(), method)(url)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_the_list_is_mine_newest_first_and_paged(api, person):
    for index in range(3):
        in_app_notification(person, title=f"Mine {index}", minutes_ago=10 - index)
    in_app_notification(UserFactory(), title="Theirs")

    body = api.get(LIST, {"limit": 2}).json()

    assert body["count"] == 3
    assert [item["title"] for item in body["results"]] == ["Mine 2", "Mine 1"]
    assert body["next"] is not None
    first = body["results"][0]
    assert first["is_read"] is False and first["read_at"] is None
    assert first["category"] == "bookings" and first["link"] == "/account/bookings/"
    rest = api.get(body["next"]).json()
    assert [item["title"] for item in rest["results"]] == ["Mine 0"]


@pytest.mark.parametrize("query", [{"limit": "0"}, {"limit": "101"}, {"offset": "-1"}])
def test_bad_paging_is_400(api, query):
    response = api.get(LIST, query)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_pagination"


def test_reading_one(api, person):
    notification = in_app_notification(person)
    response = api.post(_read(notification.pk))
    assert response.status_code == 200
    assert response.json()["is_read"] is True
    assert selectors.unread_count(person) == 0
    # Again: still 200, still read.
    assert api.post(_read(notification.pk)).json()["is_read"] is True


@pytest.mark.parametrize("notification_id", ["0", "123456789", str(2**63)])
def test_unknown_ids_are_404(api, notification_id):
    response = api.post(f"/api/v1/notifications/{notification_id}/read/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_someone_elses_is_404_and_stays_unread(api):
    theirs = in_app_notification(UserFactory())
    assert api.post(_read(theirs.pk)).status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_read_all(api, person):
    in_app_notification(person, title="a")
    in_app_notification(person, title="b")
    theirs = in_app_notification(UserFactory())
    response = api.post(READ_ALL)
    assert response.json() == {"marked": 2, "unread": 0}
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert api.post(READ_ALL).json() == {"marked": 0, "unread": 0}


def test_the_session_api_needs_csrf_for_writes(person):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(person)
    notification = in_app_notification(person)
    assert client.post(_read(notification.pk)).status_code == 403
    assert client.put(PREFERENCES, {}, format="json").status_code == 403
    assert Notification.objects.get(pk=notification.pk).read_at is None


def test_preferences_are_the_matrix(api):
    body = api.get(PREFERENCES).json()
    rows = {row["category"]: row for row in body["preferences"]}
    assert list(rows) == list(Category.values)
    required = {cell["channel"]: cell for cell in rows["required"]["channels"]}
    assert required["email"] == {
        "channel": "email",
        "enabled": True,
        "locked": True,
        "available": True,
    }
    marketing = {cell["channel"]: cell for cell in rows["marketing"]["channels"]}
    assert marketing["email"]["enabled"] is False  # opt-in
    assert marketing["sms"]["available"] is False
    assert body["quiet_start"] is None and body["time_zone"] == "Europe/Paris"


def test_put_changes_what_is_given(api, person):
    response = api.put(
        PREFERENCES,
        {
            "preferences": [
                {"category": "marketing", "channel": "email", "enabled": True},
                {"category": "bookings", "channel": "push", "enabled": False},
            ],
            "quiet_start": "21:30",
            "quiet_end": "07:00",
            "digest_hour": 19,
        },
        format="json",
    )
    assert response.status_code == 200
    assert selectors.channel_enabled(person, Category.MARKETING, Channel.EMAIL)
    assert not selectors.channel_enabled(person, Category.BOOKINGS, Channel.PUSH)
    saved = NotificationSettings.objects.get(user=person)
    assert (saved.quiet_start, saved.quiet_end, saved.digest_hour) == (
        dt.time(21, 30),
        dt.time(7, 0),
        19,
    )
    assert saved.email_digest is False
    assert response.json()["quiet_start"] == "21:30"

    # Leaving quiet hours out keeps them; both null clears them.
    api.put(PREFERENCES, {"email_digest": True}, format="json")
    saved.refresh_from_db()
    assert saved.quiet_start == dt.time(21, 30) and saved.email_digest is True
    api.put(PREFERENCES, {"quiet_start": None, "quiet_end": None}, format="json")
    saved.refresh_from_db()
    assert saved.quiet_start is None and saved.quiet_end is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"preferences": [{"category": "required", "channel": "email", "enabled": False}]},
            "preferences",
        ),
        (
            {"preferences": [{"category": "marketing", "channel": "sms", "enabled": True}]},
            "preferences",
        ),
        (
            {"preferences": [{"category": "nonsense", "channel": "email", "enabled": True}]},
            "preferences",
        ),
        ({"preferences": [{"category": "bookings", "channel": "email"}]}, "preferences"),
        (
            {"preferences": [{"category": "bookings", "channel": "email", "enabled": False}] * 29},
            "preferences",
        ),
        ({"quiet_start": "22:00"}, "quiet_end"),
        ({"quiet_start": "22:00", "quiet_end": "22:00"}, "quiet_end"),
        ({"quiet_start": "nope", "quiet_end": "07:00"}, "quiet_start"),
        ({"quiet_start": "22:00:30", "quiet_end": "07:00"}, "quiet_start"),
        ({"digest_hour": 24}, "digest_hour"),
        ({"email_digest": "perhaps"}, "email_digest"),
    ],
)
def test_bad_preferences_are_400_and_save_nothing(api, person, body, field):
    # A valid change first in the same request: it must not be saved either.
    if "preferences" in body:
        body = {
            **body,
            "preferences": [
                {"category": "bookings", "channel": "push", "enabled": False},
                *body["preferences"],
            ],
        }
    else:
        body = {
            **body,
            "preferences": [{"category": "bookings", "channel": "push", "enabled": False}],
        }
    response = api.put(PREFERENCES, body, format="json")
    assert response.status_code == 400
    payload = response.json()
    assert payload["code"] == "invalid"
    assert field in payload["fields"]
    assert not NotificationPreference.objects.filter(user=person).exists()
    assert not NotificationSettings.objects.filter(user=person).exists()


def test_a_non_object_body_is_400(api):
    response = api.put(PREFERENCES, [1, 2], format="json")
    assert response.status_code == 400


def test_options_on_every_endpoint_answers(api, person):
    notification = in_app_notification(person)
    for url in (LIST, READ_ALL, PREFERENCES, _read(notification.pk)):
        assert api.options(url).status_code == 200, url
