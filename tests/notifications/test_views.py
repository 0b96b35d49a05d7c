"""The notification centre's pages: the list (own notifications only, newest first,
unread marked), opening one (marks it read, same-site links only, 404 for anyone else's),
mark all read, the bell's JSON count, and the settings page (matrix, quiet hours, digest,
mobile number; bad input is a 400 that saves nothing)."""

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from notifications import selectors, services
from notifications.kinds import Category, Channel
from notifications.models import (
    ContactPoint,
    Notification,
    NotificationPreference,
    NotificationSettings,
)
from tests.accounts.factories import UserFactory
from tests.notifications.ui_support import in_app_notification

pytestmark = pytest.mark.django_db

LIST = "/account/notifications/"
SETTINGS = "/account/notifications/settings/"
UNREAD = "/account/notifications/unread/"
READ_ALL = "/account/notifications/read-all/"


def _open(notification_id) -> str:
    return f"/account/notifications/{notification_id}/open/"


@pytest.fixture
def person():
    return UserFactory(time_zone="Europe/London")


@pytest.fixture
def signed_in(client, person):
    client.force_login(person)
    return client


def _text(response) -> str:
    return response.content.decode()


# ---------- Signed out ----------


@pytest.mark.parametrize("url", [LIST, SETTINGS])
def test_pages_ask_signed_out_people_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("url", [READ_ALL, _open(1)])
def test_actions_ask_signed_out_people_to_sign_in(client, url):
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_unread_count_is_401_json_when_signed_out(client):
    response = client.get(UNREAD)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


# ---------- The list ----------


def test_the_list_shows_own_notifications_newest_first_with_unread_marked(signed_in, person):
    in_app_notification(person, title="Older and read", read=True, minutes_ago=60)
    in_app_notification(person, title="Newest and unread", minutes_ago=1)
    in_app_notification(UserFactory(), title="Someone else's")

    response = signed_in.get(LIST)

    assert response.status_code == 200
    text = _text(response)
    assert text.index("Newest and unread") < text.index("Older and read")
    assert "Someone else" not in text
    assert "1 unread." in text
    # Unread is said in text (the "New" badge), not only by colour.
    unread_item = text[text.index("notification--unread") : text.index("Newest and unread")]
    assert ">New</span>" in unread_item
    assert "Mark all as read" in text


def test_a_notification_from_the_service_is_listed_and_counted(
    signed_in, person, notification_types, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            recipient=person,
            type_key="tests.booked",
            context={"practitioner": "Sam Rivers"},
            dedupe_key="booking:1:confirmed:seq0",
            link="/account/bookings/",
        )
    text = _text(signed_in.get(LIST))
    assert "Booking confirmed" in text
    assert "Your session with Sam Rivers is booked." in text
    assert "Notifications, 1 unread" in text
    assert signed_in.get(UNREAD).json() == {"unread": 1}


def test_the_empty_list_says_so(signed_in):
    response = signed_in.get(LIST)
    assert response.status_code == 200
    assert "No notifications yet." in _text(response)
    assert "Mark all as read" not in _text(response)


def test_times_are_shown_in_the_persons_zone(signed_in, person):
    notification = in_app_notification(person)
    Notification.objects.filter(pk=notification.pk).update(
        created_at=dt.datetime(2030, 7, 1, 9, 30, tzinfo=dt.UTC)
    )
    assert "1 Jul 2030, 10:30" in _text(signed_in.get(LIST))  # BST


def test_the_list_pages(signed_in, person):
    for index in range(25):
        in_app_notification(person, title=f"Item {index:02d}", minutes_ago=index)
    first = _text(signed_in.get(LIST))
    assert "Item 00" in first and "Item 19" in first and "Item 20" not in first
    second = _text(signed_in.get(LIST, {"page": 2}))
    assert "Item 20" in second and "Item 24" in second


@pytest.mark.parametrize("page", ["3", "0", "abc", "99999999999999999999999"])
def test_a_page_that_does_not_exist_is_404(signed_in, person, page):
    in_app_notification(person)
    assert signed_in.get(LIST, {"page": page}).status_code == 404


# ---------- Opening one ----------


def test_opening_marks_read_and_goes_to_its_page(signed_in, person):
    notification = in_app_notification(person, link="/account/bookings/")
    response = signed_in.post(_open(notification.pk))
    assert response.status_code == 302
    assert response["Location"] == "/account/bookings/"
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert selectors.unread_count(person) == 0


@pytest.mark.parametrize(
    "link",
    [
        "https://evil.example/",
        "//evil.example/path",
        "/\\evil.example/",
        "javascript:alert(1)",
        "account/bookings/",
        "",
    ],
)
def test_opening_never_leaves_the_site(signed_in, person, link):
    notification = in_app_notification(person, link=link)
    response = signed_in.post(_open(notification.pk))
    assert response.status_code == 302
    assert response["Location"] == LIST


def test_someone_elses_notification_is_404_and_stays_unread(signed_in):
    theirs = in_app_notification(UserFactory())
    assert signed_in.post(_open(theirs.pk)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.parametrize("notification_id", ["0", "999999", str(2**63), "9" * 30])
def test_unknown_ids_are_404(signed_in, notification_id):
    assert signed_in.post(f"/account/notifications/{notification_id}/open/").status_code == 404


def test_opening_needs_post(signed_in, person):
    notification = in_app_notification(person)
    assert signed_in.get(_open(notification.pk)).status_code == 405
    notification.refresh_from_db()
    assert notification.read_at is None


def test_posts_need_the_csrf_token(client, person):
    client.force_login(person)
    client.handler.enforce_csrf_checks = True
    notification = in_app_notification(person)
    assert client.post(_open(notification.pk)).status_code == 403
    assert client.post(READ_ALL).status_code == 403
    assert client.post(SETTINGS, {"digest_hour": "8"}).status_code == 403
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_read_marks_only_mine(signed_in, person):
    mine = [in_app_notification(person, title=f"Mine {n}") for n in range(3)]
    theirs = in_app_notification(UserFactory())

    response = signed_in.post(READ_ALL, follow=True)

    assert response.status_code == 200
    assert "Marked 3 notifications as read." in _text(response)
    assert all(Notification.objects.get(pk=n.pk).read_at for n in mine)
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert selectors.unread_count(person) == 0


# ---------- The bell and its count ----------


def test_the_unread_count_json(signed_in, person):
    in_app_notification(person)
    in_app_notification(person, read=True)
    response = signed_in.get(UNREAD)
    assert response.status_code == 200
    assert response.json() == {"unread": 1}
    assert "no-store" in response["Cache-Control"]


def test_polling_does_not_keep_an_idle_session_alive(signed_in, person):
    signed_in.get(LIST)  # a page visit moves the expiry; the poll must not
    session = Session.objects.get()
    expiry = session.expire_date
    with CaptureQueriesContext(connection) as queries:
        assert signed_in.get(UNREAD).status_code == 200
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert not [sql for sql in writes if "django_session" in sql]
    assert Session.objects.get().expire_date == expiry


def test_every_page_shows_the_bell_with_its_count_in_words(signed_in, person):
    in_app_notification(person)
    in_app_notification(person)
    text = _text(signed_in.get("/account/"))
    assert 'href="/account/notifications/"' in text
    assert "Notifications, 2 unread" in text
    assert 'role="status"' in text


def test_signed_out_pages_have_no_bell(client):
    assert "data-notification-bell" not in _text(client.get("/accounts/login/"))


def test_the_bell_costs_no_query_once_the_count_is_cached(person):
    in_app_notification(person)
    request = RequestFactory().get("/")
    request.user = person
    template = Template("{% load notification_bell %}{% unread_notifications as n %}{{ n }}")
    assert template.render(Context({"request": request})) == "1"
    with CaptureQueriesContext(connection) as queries:
        assert template.render(Context({"request": request})) == "1"
    assert len(queries) == 0


def test_signing_in_puts_the_count_in_the_cache(client, person):
    """Every page has the bell: the first one after signing in reads the count from the
    cache, like the rest."""
    in_app_notification(person)
    client.force_login(person)
    with CaptureQueriesContext(connection) as queries:
        assert selectors.unread_count(person) == 1
    assert len(queries) == 0


# ---------- Settings ----------


def _form(**overrides) -> dict:
    """The settings form as the page posts it with the defaults untouched."""
    data = {
        "pref_bookings_in_app": "on",
        "pref_bookings_email": "on",
        "pref_bookings_push": "on",
        "pref_reminders_in_app": "on",
        "pref_reminders_email": "on",
        "pref_reminders_push": "on",
        "pref_messages_in_app": "on",
        "pref_messages_email": "on",
        "pref_messages_push": "on",
        "pref_payments_in_app": "on",
        "pref_payments_email": "on",
        "pref_courses_in_app": "on",
        "pref_courses_email": "on",
        "quiet_start": "",
        "quiet_end": "",
        "digest_hour": "8",
        "phone_number": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_the_settings_page_shows_the_matrix(signed_in):
    response = signed_in.get(SETTINGS)
    assert response.status_code == 200
    text = _text(response)
    assert "<caption" in text and 'scope="col"' in text and 'scope="row"' in text
    for category in Category:
        assert category.label in text
    # Required messages are on and say why they cannot be turned off.
    assert text.count("Required — cannot be turned off") == 2
    assert "cannot be turned off" in text[text.index('id="required-why"') :]
    assert 'name="pref_required_email"' not in text
    # Marketing is opt-in: its email box is there and unticked.
    marketing = text[text.index('name="pref_marketing_email"') :][:80]
    assert "checked" not in marketing
    # Times are in the person's zone, named.
    assert "Europe/London" in text


def test_saving_changes_only_what_changed(signed_in, person):
    response = signed_in.post(
        SETTINGS,
        _form(
            pref_bookings_email=None,  # unticked
            pref_marketing_email="on",
            quiet_start="22:00",
            quiet_end="07:30",
            email_digest="on",
            digest_hour="18",
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == SETTINGS
    rows = NotificationPreference.objects.filter(user=person)
    saved = {(row.category, row.channel): row.enabled for row in rows}
    assert saved == {("bookings", "email"): False, ("marketing", "email"): True}
    assert not selectors.channel_enabled(person, Category.BOOKINGS, Channel.EMAIL)
    person_settings = NotificationSettings.objects.get(user=person)
    assert (person_settings.quiet_start, person_settings.quiet_end) == (
        dt.time(22, 0),
        dt.time(7, 30),
    )
    assert person_settings.email_digest is True
    assert person_settings.digest_hour == 18


def test_a_locked_cell_in_the_post_is_ignored(signed_in, person):
    response = signed_in.post(SETTINGS, _form(pref_required_email=""))
    assert response.status_code == 302
    assert not NotificationPreference.objects.filter(user=person, category="required").exists()
    assert selectors.channel_enabled(person, Category.REQUIRED, Channel.EMAIL)


def test_a_mobile_number_with_consent_is_saved_and_texts_can_be_chosen(signed_in, person):
    response = signed_in.post(SETTINGS, _form(phone_number="+447700900123", sms_opt_in="on"))
    assert response.status_code == 302
    contact = ContactPoint.objects.get(user=person)
    assert contact.phone_number == "+447700900123"
    assert contact.sms_opt_in and contact.sms_consent_at is not None
    consented_at = contact.sms_consent_at

    page = _text(signed_in.get(SETTINGS))
    assert 'name="pref_reminders_sms"' in page
    assert "+447700900123" in page

    # Saving again with the same answer does not renew the consent time.
    signed_in.post(
        SETTINGS,
        _form(phone_number="+447700900123", sms_opt_in="on", pref_reminders_sms="on"),
    )
    assert ContactPoint.objects.get(user=person).sms_consent_at == consented_at


def test_without_a_number_texts_cannot_be_chosen(signed_in):
    text = _text(signed_in.get(SETTINGS))
    assert 'name="pref_reminders_sms"' not in text
    assert "Add your mobile number below first" in text


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"quiet_start": "22:00"}, "quiet_end", "Give both times"),
        ({"quiet_end": "07:00"}, "quiet_start", "Give both times"),
        ({"quiet_start": "22:00", "quiet_end": "22:00"}, "quiet_end", "different time"),
        ({"quiet_start": "25:00", "quiet_end": "07:00"}, "quiet_start", "valid time"),
        ({"digest_hour": "24"}, "digest_hour", "valid choice"),
        ({"digest_hour": "x"}, "digest_hour", "valid choice"),
        ({"sms_opt_in": "on"}, "phone_number", "Enter your mobile number"),
        ({"phone_number": "07700 900123", "sms_opt_in": "on"}, "phone_number", "international"),
        ({"phone_number": "+44" + "1" * 40}, "phone_number", "at most"),
    ],
)
def test_bad_input_is_a_400_with_field_errors_and_saves_nothing(
    signed_in, person, overrides, field, message
):
    # The same post also turns an email off: that must not be saved either.
    response = signed_in.post(SETTINGS, _form(pref_bookings_email=None, **overrides))
    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors
    assert message in " ".join(form.errors[field])
    assert "Please check the following" in _text(response)
    assert not NotificationPreference.objects.filter(user=person).exists()
    assert not NotificationSettings.objects.filter(user=person).exists()
    assert not ContactPoint.objects.filter(user=person).exists()


def test_the_push_toggle_is_on_the_settings_page(signed_in):
    assert "Push notifications on this device" in _text(signed_in.get(SETTINGS))


def test_without_the_push_app_the_page_still_renders(signed_in, monkeypatch):
    monkeypatch.setattr("notifications.views.PUSH_TOGGLE_TEMPLATE", "webpush/missing.html")
    response = signed_in.get(SETTINGS)
    assert response.status_code == 200
    assert "Push notifications on this device" not in _text(response)
