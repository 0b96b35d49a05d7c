"""accounts.api.authentication: one second-factor policy on the REST API (browser sessions
and allauth headless app tokens alike), and headless app tokens accepted on /api/v1/."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.roles import Role
from accounts.services import role_grant
from commerce.bookings.models import Booking
from commerce.partners.services import partner_admin_add
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory, enrol_totp, totp_code
from tests.accounts.flows import mfa_authenticate, password_login, signed_in_user_id
from tests.commerce.bookings.booking_setup import CREDIT_PRICE, bookable_service, slot
from tests.commerce.credits.factories import give_credits
from tests.commerce.partners.factories import PartnerFactory

pytestmark = pytest.mark.django_db

APP_LOGIN_URL = "/_allauth/app/v1/auth/login"
APP_MFA_URL = "/_allauth/app/v1/auth/2fa/authenticate"
PRIVILEGED = ["practitioner", "editor", "staff", "partner admin"]


def privileged_user(kind: str):
    if kind == "partner admin":
        user = UserFactory(roles=[Role.CLIENT])
        partner_admin_add(partner=PartnerFactory(), user=user)
        return user
    if kind == "staff":
        return UserFactory(roles=[Role.CLIENT], is_staff=True)
    return UserFactory(roles=[Role.CLIENT, Role(kind)])


@pytest.fixture
def booking():
    """A confirmed credits booking by a client with a practitioner who holds the
    practitioner role (the factory's user does not)."""
    service = bookable_service(cancellation_tiers=[{"hours_before": 24, "refund_percent": 100}])
    role_grant(user=service.practitioner.user, role=Role.PRACTITIONER)
    client_user = UserFactory(roles=[Role.CLIENT])
    give_credits(user=client_user, amount=CREDIT_PRICE)
    api = APIClient()
    api.force_authenticate(client_user)
    answer = api.post(
        "/api/v1/bookings/",
        {"service": service.pk, "start": slot().isoformat(), "pay_with": "credits"},
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    return Booking.objects.get(pk=answer.json()["id"])


def assert_mfa_required(response):
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == "mfa_required"
    assert "two-factor" in body["detail"]


def app_login(email: str, password: str = DEFAULT_PASSWORD):
    return Client().post(
        APP_LOGIN_URL, {"email": email, "password": password}, content_type="application/json"
    )


def app_token_for(user, *, secret: str | None = None) -> str:
    """Signs in through allauth headless as an app would (with the second step when the
    user has an authenticator) and returns the session token."""
    answer = app_login(user.email)
    token = answer.json()["meta"]["session_token"]
    if secret is not None:
        assert answer.status_code == 401  # the second step is pending
        answer = Client().post(
            APP_MFA_URL,
            {"code": totp_code(secret)},
            content_type="application/json",
            HTTP_X_SESSION_TOKEN=token,
        )
        token = answer.json()["meta"].get("session_token", token)
    assert answer.status_code == 200, answer.json()
    assert answer.json()["data"]["user"]["email"] == user.email
    return token


def with_token(token: str) -> Client:
    return Client(HTTP_X_SESSION_TOKEN=token)


# --- browser sessions ------------------------------------------------------------------


@pytest.mark.parametrize("kind", PRIVILEGED)
def test_privileged_roles_without_mfa_get_403_mfa_required_on_the_api(client, kind):
    client.force_login(privileged_user(kind))

    assert_mfa_required(client.get("/api/v1/me/"))
    assert_mfa_required(client.get("/api/v1/bookings/"))
    # Public reads too: the rule is about the caller, not the endpoint.
    assert_mfa_required(client.get("/api/v1/practitioners/"))


@pytest.mark.parametrize("kind", PRIVILEGED)
def test_privileged_roles_with_mfa_use_the_api(client, kind):
    user = privileged_user(kind)
    enrol_totp(user)
    client.force_login(user)

    response = client.get("/api/v1/me/")

    assert response.status_code == 200
    assert response.json()["mfa_enabled"] is True
    assert client.get("/api/v1/bookings/").status_code == 200


def test_clients_are_unaffected(client):
    client.force_login(UserFactory(roles=[Role.CLIENT]))

    assert client.get("/api/v1/me/").status_code == 200
    assert client.get("/api/v1/bookings/").status_code == 200


def test_a_practitioner_without_mfa_can_neither_cancel_nor_reschedule(client, booking):
    client.force_login(booking.service.practitioner.user)

    assert_mfa_required(
        client.post(f"/api/v1/bookings/{booking.pk}/cancel/", {}, content_type="application/json")
    )
    assert_mfa_required(
        client.post(
            f"/api/v1/bookings/{booking.pk}/reschedule/",
            {"start": slot(hour=14).isoformat()},
            content_type="application/json",
        )
    )

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert booking.starts_at == slot()


def test_the_same_practitioner_with_mfa_reschedules_and_cancels(client, booking):
    practitioner = booking.service.practitioner.user
    enrol_totp(practitioner)
    client.force_login(practitioner)

    moved = client.post(
        f"/api/v1/bookings/{booking.pk}/reschedule/",
        {"start": slot(hour=14).isoformat()},
        content_type="application/json",
    )
    cancelled = client.post(
        f"/api/v1/bookings/{booking.pk}/cancel/", {}, content_type="application/json"
    )

    assert moved.status_code == 200, moved.json()
    assert cancelled.status_code == 200, cancelled.json()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED


def test_a_password_only_sign_in_awaiting_its_second_factor_does_not_reach_the_api(client):
    user = UserFactory(roles=[Role.CLIENT, Role.PRACTITIONER])
    secret = enrol_totp(user)

    password_login(client, user.email, DEFAULT_PASSWORD)

    assert signed_in_user_id(client) is None
    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"

    mfa_authenticate(client, totp_code(secret))
    assert client.get("/api/v1/me/").status_code == 200


def test_the_browser_session_still_needs_a_csrf_token_for_writes(booking):
    practitioner = booking.service.practitioner.user
    enrol_totp(practitioner)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(practitioner)

    response = browser.post(
        f"/api/v1/bookings/{booking.pk}/cancel/", {}, content_type="application/json"
    )

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


# --- allauth headless app tokens -------------------------------------------------------


def test_an_app_token_reads_me_and_writes():
    client_user = UserFactory(roles=[Role.CLIENT])
    give_credits(user=client_user, amount=CREDIT_PRICE)
    service = bookable_service()
    app = with_token(app_token_for(client_user))

    me = app.get("/api/v1/me/")
    booked = app.post(
        "/api/v1/bookings/",
        {"service": service.pk, "start": slot().isoformat(), "pay_with": "credits"},
        content_type="application/json",
    )

    assert me.status_code == 200
    assert me.json()["email"] == client_user.email
    assert booked.status_code == 201, booked.json()
    assert Booking.objects.get(pk=booked.json()["id"]).client == client_user


@pytest.mark.parametrize("token", ["not-a-token", "x" * 40, ""])
def test_an_invalid_token_is_401_json(token):
    response = Client(HTTP_X_SESSION_TOKEN=token).get("/api/v1/me/")

    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "not_authenticated"


def test_an_invalid_token_is_401_even_on_a_public_endpoint():
    response = with_token("not-a-token").get("/api/v1/practitioners/")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_token_stops_working_after_app_logout():
    user = UserFactory(roles=[Role.CLIENT])
    token = app_token_for(user)
    Client().delete("/_allauth/app/v1/auth/session", HTTP_X_SESSION_TOKEN=token)

    assert with_token(token).get("/api/v1/me/").status_code == 401


def test_a_practitioner_app_token_without_mfa_gets_403_mfa_required(booking):
    practitioner = booking.service.practitioner.user
    app = with_token(app_token_for(practitioner))

    assert_mfa_required(app.get("/api/v1/me/"))
    assert_mfa_required(
        app.post(f"/api/v1/bookings/{booking.pk}/cancel/", {}, content_type="application/json")
    )
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_a_token_from_a_login_waiting_for_its_second_factor_is_refused():
    user = UserFactory(roles=[Role.CLIENT, Role.PRACTITIONER])
    enrol_totp(user)

    answer = app_login(user.email)

    assert answer.status_code == 401
    pending = answer.json()["meta"]["session_token"]
    assert with_token(pending).get("/api/v1/me/").status_code == 401


def test_a_practitioner_app_token_after_the_second_factor_works(booking):
    practitioner = booking.service.practitioner.user
    secret = enrol_totp(practitioner)
    app = with_token(app_token_for(practitioner, secret=secret))

    assert app.get("/api/v1/me/").json()["mfa_enabled"] is True
    cancelled = app.post(
        f"/api/v1/bookings/{booking.pk}/cancel/", {}, content_type="application/json"
    )
    assert cancelled.status_code == 200, cancelled.json()


def test_app_tokens_need_no_csrf_token(booking):
    practitioner = booking.service.practitioner.user
    secret = enrol_totp(practitioner)
    token = app_token_for(practitioner, secret=secret)
    app = Client(enforce_csrf_checks=True, HTTP_X_SESSION_TOKEN=token)

    cancelled = app.post(
        f"/api/v1/bookings/{booking.pk}/cancel/", {}, content_type="application/json"
    )

    assert cancelled.status_code == 200, cancelled.json()


def test_the_same_rule_drives_the_pages(client):
    """The page middleware and the API ask the one selector."""
    user = UserFactory(roles=[Role.CLIENT, Role.PRACTITIONER])
    client.force_login(user)

    assert client.get("/dashboard/").status_code == 302
    assert_mfa_required(client.get("/api/v1/me/"))
    enrol_totp(user)
    assert client.get("/dashboard/").status_code == 200
    assert client.get("/api/v1/me/").status_code == 200
