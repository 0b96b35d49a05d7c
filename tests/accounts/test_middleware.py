"""accounts.middleware: second factor required for privileged roles before the protected
areas, and idle session timeouts by role."""

import time
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from accounts.roles import Role
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory, enrol_totp, totp_code
from tests.accounts.flows import password_login, signed_in_user_id

pytestmark = pytest.mark.django_db

PROTECTED_URLS = [
    "/dashboard/",
    "/cms/",
    "/cms/pages/",
    "/django-admin/",
    "/django-admin/accounts/user/",
]


def _user_with_role(role: Role, **fields):
    if role is Role.STAFF:
        # The Django admin is for superusers; staff here can reach both admins.
        fields.setdefault("is_superuser", True)
    return UserFactory(roles=[role], **fields)


# --- second factor required ----------------------------------------------------------


@pytest.mark.parametrize("url", PROTECTED_URLS)
@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.EDITOR, Role.STAFF])
def test_privileged_roles_without_mfa_are_sent_to_totp_enrolment(client, role, url):
    client.force_login(_user_with_role(role))

    response = client.get(url)

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse("mfa_activate_totp")
    assert parse_qs(location.query) == {"next": [url]}


def test_the_redirect_keeps_the_query_string_in_next(client):
    client.force_login(_user_with_role(Role.EDITOR))

    response = client.get("/cms/pages/?ordering=title")

    assert parse_qs(urlsplit(response["Location"]).query) == {
        "next": ["/cms/pages/?ordering=title"]
    }


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.EDITOR, Role.STAFF])
def test_privileged_roles_with_totp_reach_their_dashboard(client, role):
    user = _user_with_role(role)
    enrol_totp(user)
    client.force_login(user)

    assert client.get("/dashboard/").status_code == 200


@pytest.mark.parametrize("role", [Role.EDITOR, Role.STAFF])
def test_editors_and_staff_with_totp_reach_the_wagtail_admin(client, role):
    user = _user_with_role(role)
    enrol_totp(user)
    client.force_login(user)

    assert client.get("/cms/").status_code == 200
    assert client.get("/cms/pages/").status_code == 200


def test_staff_superuser_with_totp_reaches_the_django_admin(client):
    user = _user_with_role(Role.STAFF)
    enrol_totp(user)
    client.force_login(user)

    assert client.get("/django-admin/").status_code == 200
    assert client.get("/django-admin/accounts/user/").status_code == 200


def test_a_practitioner_with_totp_still_cannot_use_the_admins(client):
    user = _user_with_role(Role.PRACTITIONER)
    enrol_totp(user)
    client.force_login(user)

    assert client.get("/cms/").status_code != 200
    assert client.get("/django-admin/").status_code != 200


def test_a_client_without_mfa_reaches_the_dashboard(client):
    client.force_login(UserFactory(roles=[Role.CLIENT]))

    response = client.get("/dashboard/")

    assert response.status_code == 200


def test_unprotected_pages_do_not_ask_for_enrolment(client):
    client.force_login(_user_with_role(Role.PRACTITIONER))

    assert client.get("/account/").status_code == 200


def test_enrolling_through_allauths_form_opens_the_dashboard(client):
    user = UserFactory(email="new.practitioner@example.org", roles=[Role.PRACTITIONER])
    password_login(client, "new.practitioner@example.org", DEFAULT_PASSWORD)

    sent_to = client.get("/dashboard/")["Location"]
    # A sign-in moments ago counts as recent: the form opens without asking again.
    enrol_page = client.get(sent_to)
    assert enrol_page.status_code == 200
    secret = enrol_page.context["form"].secret
    with time_machine.travel(time.time() // 30 * 30 + 1, tick=False):
        enrolled = client.post(sent_to, {"code": totp_code(secret)})

    assert enrolled.status_code == 302
    assert user.authenticator_set.filter(type="totp").exists()
    assert client.get("/dashboard/").status_code == 200


def test_enrolling_long_after_signing_in_asks_for_the_password_first(client):
    UserFactory(email="later.practitioner@example.org", roles=[Role.PRACTITIONER])
    password_login(client, "later.practitioner@example.org", DEFAULT_PASSWORD)
    sent_to = client.get("/dashboard/")["Location"]

    later = time.time() + settings.ACCOUNT_REAUTHENTICATION_TIMEOUT + 60
    with time_machine.travel(later, tick=False):
        confirm_password = client.get(sent_to)
        assert urlsplit(confirm_password["Location"]).path == reverse("account_reauthenticate")
        back = client.post(confirm_password["Location"], {"password": DEFAULT_PASSWORD})
        assert urlsplit(back["Location"]).path == urlsplit(sent_to).path
        assert client.get(sent_to).status_code == 200


# --- idle session timeouts -----------------------------------------------------------

START = datetime(2030, 3, 4, 10, 0, 0, tzinfo=UTC)


def _idle(traveller, elapsed: timedelta) -> None:
    # Sessions are in the database only (decision 0019), which reads the moved clock.
    traveller.shift(elapsed)


def _is_signed_in(client) -> bool:
    response = client.get("/account/")
    return response.status_code == 200


def test_privileged_idle_timeout_is_shorter():
    assert settings.SESSION_IDLE_TIMEOUT_PRIVILEGED < settings.SESSION_IDLE_TIMEOUT


def test_a_client_session_survives_inside_the_idle_timeout_and_ends_after_it(client):
    UserFactory(email="client@example.org", roles=[Role.CLIENT])
    timeout = timedelta(seconds=settings.SESSION_IDLE_TIMEOUT)

    with time_machine.travel(START, tick=True) as traveller:
        password_login(client, "client@example.org", DEFAULT_PASSWORD)
        assert _is_signed_in(client)

        # Longer than the privileged timeout means nothing for a client.
        _idle(traveller, timedelta(seconds=settings.SESSION_IDLE_TIMEOUT_PRIVILEGED + 60))
        assert _is_signed_in(client)

        _idle(traveller, timeout - timedelta(minutes=1))
        assert _is_signed_in(client)

        _idle(traveller, timeout + timedelta(minutes=1))
        assert not _is_signed_in(client)
        assert signed_in_user_id(client) is None


def test_a_practitioner_session_ends_after_the_privileged_idle_timeout(client):
    UserFactory(email="practitioner@example.org", roles=[Role.PRACTITIONER])
    timeout = timedelta(seconds=settings.SESSION_IDLE_TIMEOUT_PRIVILEGED)

    with time_machine.travel(START, tick=True) as traveller:
        password_login(client, "practitioner@example.org", DEFAULT_PASSWORD)
        assert _is_signed_in(client)

        _idle(traveller, timeout - timedelta(minutes=1))
        assert _is_signed_in(client)

        _idle(traveller, timeout + timedelta(minutes=1))
        assert not _is_signed_in(client)


def test_activity_extends_the_session(client):
    """Idle, not absolute: requests spaced inside the timeout keep the session going far
    beyond the timeout itself."""
    UserFactory(email="practitioner@example.org", roles=[Role.PRACTITIONER])
    timeout = timedelta(seconds=settings.SESSION_IDLE_TIMEOUT_PRIVILEGED)

    with time_machine.travel(START, tick=True) as traveller:
        password_login(client, "practitioner@example.org", DEFAULT_PASSWORD)
        for _ in range(4):
            _idle(traveller, timeout * 0.75)
            assert _is_signed_in(client)
        # Three full timeouts have passed since signing in.
        _idle(traveller, timeout + timedelta(seconds=30))
        assert not _is_signed_in(client)


def test_the_session_cookie_and_row_carry_the_role_timeout(client):
    from django.contrib.sessions.models import Session

    UserFactory(email="practitioner@example.org", roles=[Role.PRACTITIONER])

    with time_machine.travel(START, tick=False):
        password_login(client, "practitioner@example.org", DEFAULT_PASSWORD)
        client.get("/account/")

        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        assert int(cookie["max-age"]) == settings.SESSION_IDLE_TIMEOUT_PRIVILEGED
        row = Session.objects.get(session_key=cookie.value)
        assert row.expire_date == START + timedelta(
            seconds=settings.SESSION_IDLE_TIMEOUT_PRIVILEGED
        )
