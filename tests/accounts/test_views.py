"""accounts.views: the account overview and the dashboard hub."""

import pytest

from accounts.roles import Role
from tests.accounts.factories import UserFactory, enrol_totp

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/account/", "/dashboard/"])
def test_pages_need_a_signed_in_person(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


def test_account_page_shows_email_roles_and_mfa_state(client):
    user = UserFactory(email="both@example.org", roles=[Role.CLIENT, Role.PRACTITIONER])
    client.force_login(user)

    response = client.get("/account/")

    assert response.status_code == 200
    assert [role.label for role in response.context["roles"]] == ["Client", "Practitioner"]
    assert response.context["security"]["mfa_required"] is True
    assert response.context["security"]["mfa_enabled"] is False
    text = response.content.decode()
    assert "both@example.org" in text
    assert "Client" in text and "Practitioner" in text
    assert 'href="/accounts/2fa/totp/activate/"' in text


def test_account_page_after_enrolment_no_longer_asks_for_it(client):
    user = UserFactory(roles=[Role.PRACTITIONER])
    enrol_totp(user)
    client.force_login(user)

    response = client.get("/account/")

    assert response.context["security"]["mfa_enabled"] is True
    assert response.context["security"]["totp"] is True


def test_dashboard_opens_the_areas_each_role_may_use(client):
    editor = UserFactory(roles=[Role.EDITOR])
    enrol_totp(editor)
    client.force_login(editor)

    response = client.get("/dashboard/")

    assert response.context["can_use_cms"] is True
    assert response.context["can_use_django_admin"] is False
    assert 'href="/cms/"' in response.content.decode()
    assert 'href="/django-admin/"' not in response.content.decode()


def test_dashboard_for_a_client_shows_no_work_areas(client):
    client.force_login(UserFactory(roles=[Role.CLIENT]))

    response = client.get("/dashboard/")

    assert response.context["is_client"] is True
    assert response.context["is_practitioner"] is False
    assert response.context["can_use_cms"] is False
    text = response.content.decode()
    assert 'href="/cms/"' not in text
    assert 'href="/django-admin/"' not in text


def test_dashboard_for_a_superuser_links_the_django_admin(client):
    superuser = UserFactory(roles=[Role.STAFF], is_superuser=True)
    enrol_totp(superuser)
    client.force_login(superuser)

    response = client.get("/dashboard/")

    assert response.context["can_use_django_admin"] is True
    assert 'href="/django-admin/"' in response.content.decode()
