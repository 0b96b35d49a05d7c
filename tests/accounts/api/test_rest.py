"""accounts.api.rest: GET /api/v1/me/."""

import pytest
from django.test import Client

from accounts.roles import Role
from tests.accounts.factories import UserFactory, enrol_totp

pytestmark = pytest.mark.django_db


def test_anonymous_callers_get_a_401_with_the_error_shape(client):
    response = client.get("/api/v1/me/")

    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == "not_authenticated"
    assert body["detail"]


def test_a_signed_in_client_sees_themselves(client):
    user = UserFactory(email="me@example.org", first_name="Mae", last_name="Jemison")
    user.time_zone = "Africa/Lagos"
    user.save()
    from accounts.services import role_grant

    role_grant(user=user, role=Role.CLIENT)
    client.force_login(user)

    response = client.get("/api/v1/me/")

    assert response.status_code == 200
    assert response.json() == {
        "id": user.pk,
        "email": "me@example.org",
        "first_name": "Mae",
        "last_name": "Jemison",
        "time_zone": "Africa/Lagos",
        "roles": ["client"],
        "mfa_enabled": False,
        "mfa_required": False,
    }


def test_a_practitioner_is_told_mfa_is_required_and_then_sees_it_enabled(client):
    """/me/ follows the one second-factor rule: 403 mfa_required until enrolment (the
    app reads the code; allauth's headless session endpoint still names the user)."""
    user = UserFactory(roles=[Role.CLIENT, Role.PRACTITIONER])
    client.force_login(user)

    before = client.get("/api/v1/me/")
    enrol_totp(user)
    after = client.get("/api/v1/me/").json()

    assert before.status_code == 403
    assert before.json()["code"] == "mfa_required"
    assert after["roles"] == ["client", "practitioner"]
    assert after["mfa_required"] is True
    assert after["mfa_enabled"] is True


def test_me_is_read_only(client):
    client.force_login(UserFactory())

    response = client.post("/api/v1/me/", {"email": "other@example.org"})

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_a_session_cookie_alone_cannot_post_without_csrf():
    """SessionAuthentication enforces CSRF on unsafe methods for signed-in callers."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(UserFactory())

    response = browser.post("/api/v1/me/", {})

    assert response.status_code == 403
    assert response.json()["code"] in ("permission_denied", "csrf_failed", "error")
