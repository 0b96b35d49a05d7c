"""config.urls: both admins sign people in through allauth (its rate limits and second
factor), and the identity endpoints are mounted where clients expect them."""

from urllib.parse import parse_qs, urlsplit

import pytest

from accounts.roles import Role
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory, enrol_totp
from tests.accounts.flows import LOGIN_URL, signed_in_user_id

pytestmark = pytest.mark.django_db


def _final_redirect(response) -> str:
    return response.redirect_chain[-1][0]


@pytest.mark.parametrize(
    "url", ["/cms/", "/cms/pages/", "/django-admin/", "/django-admin/accounts/user/"]
)
def test_anonymous_visitors_of_either_admin_are_sent_to_allauths_sign_in(client, url):
    response = client.get(url, follow=True)

    assert response.status_code == 200
    target = urlsplit(_final_redirect(response))
    assert target.path == LOGIN_URL
    assert parse_qs(target.query)["next"] == [url]
    # The page shown is allauth's sign-in form.
    assert "login" in response.context["form"].fields


def test_wagtails_own_login_form_is_not_served(client):
    response = client.get("/cms/login/?next=/cms/pages/")

    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert target.path == LOGIN_URL
    assert parse_qs(target.query)["next"] == ["/cms/pages/"]


def test_posting_a_password_to_wagtails_login_url_signs_nobody_in(client):
    """Wagtail's form would accept the password alone: no rate limit, no second factor."""
    editor = UserFactory(email="editor@example.org", roles=[Role.EDITOR])
    enrol_totp(editor)

    response = client.post(
        "/cms/login/", {"username": "editor@example.org", "password": DEFAULT_PASSWORD}
    )

    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == LOGIN_URL
    assert signed_in_user_id(client) is None
    assert client.get("/cms/").status_code == 302


def test_posting_a_password_to_the_django_admin_login_signs_nobody_in(client):
    superuser = UserFactory(email="root@example.org", roles=[Role.STAFF], is_superuser=True)
    enrol_totp(superuser)

    response = client.post(
        "/django-admin/login/", {"username": "root@example.org", "password": DEFAULT_PASSWORD}
    )

    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == LOGIN_URL
    assert signed_in_user_id(client) is None


def test_wagtails_login_url_offsite_next_is_not_followed(client):
    response = client.get("/cms/login/?next=https://evil.example.net/")

    assert parse_qs(urlsplit(response["Location"]).query)["next"] == ["/cms/"]


def test_a_signed_in_editor_at_wagtails_login_url_goes_on_to_the_admin(client):
    editor = UserFactory(roles=[Role.EDITOR])
    enrol_totp(editor)
    client.force_login(editor)

    response = client.get("/cms/login/")

    assert response.status_code == 302
    assert response["Location"] == "/cms/"


def test_the_django_admin_is_for_superusers_only(client):
    staff = UserFactory(roles=[Role.STAFF])
    enrol_totp(staff)
    client.force_login(staff)

    response = client.get("/django-admin/")

    assert response.status_code != 200


def test_a_signed_in_non_staff_person_is_refused_by_the_django_admin_login(client):
    client.force_login(UserFactory(roles=[Role.CLIENT]))

    assert client.get("/django-admin/login/").status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        "/.well-known/openid-configuration",
        "/.well-known/jwks.json",
        "/_allauth/browser/v1/config",
        "/_allauth/app/v1/config",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
    ],
)
def test_identity_endpoints_are_mounted(client, url):
    assert client.get(url).status_code == 200


def test_unknown_api_paths_answer_json_404(client):
    response = client.get("/api/v1/does-not-exist/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
