"""config.settings.components.auth: how allauth is configured, tested through its real
views: failed-login rate limits, password reset and the second factor, one-time codes,
the headless API, and bad input on every form."""

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from allauth.mfa import app_settings as mfa_settings
from django.conf import settings
from django.test import Client

from accounts.models import User
from accounts.roles import Role
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory, enrol_totp, totp_code
from tests.accounts.flows import (
    LOGIN_URL,
    LOGOUT_URL,
    MFA_AUTHENTICATE_URL,
    PASSWORD_RESET_URL,
    SIGNUP_URL,
    TOO_MANY_ATTEMPTS,
    WRONG_CREDENTIALS,
    last_mail_to,
    links_in,
    mfa_authenticate,
    password_login,
    signed_in_user_id,
)

pytestmark = pytest.mark.django_db

# Start of a TOTP period, so that a code computed "now" stays valid for the whole test.
WINDOW_START = datetime(2030, 1, 7, 9, 0, 0, tzinfo=UTC)


# --- failed sign-ins are rate limited per account ------------------------------------


def test_login_failed_rate_is_five_per_five_minutes_per_account():
    assert "5/5m/key" in settings.ACCOUNT_RATE_LIMITS["login_failed"].split(",")


def test_five_failed_sign_ins_are_each_judged_on_the_password(client):
    UserFactory(email="target@example.org")

    for attempt in range(5):
        response = password_login(client, "target@example.org", f"wrong guess {attempt}")
        text = response.content.decode()
        assert response.status_code == 200
        assert WRONG_CREDENTIALS in text
        assert TOO_MANY_ATTEMPTS not in text

    assert signed_in_user_id(client) is None


def test_the_right_password_after_four_failures_signs_in(client):
    user = UserFactory(email="target@example.org")
    for attempt in range(4):
        password_login(client, "target@example.org", f"wrong guess {attempt}")

    response = password_login(client, "target@example.org", DEFAULT_PASSWORD)

    assert response.status_code == 302
    assert signed_in_user_id(client) == str(user.pk)


def test_sixth_attempt_in_five_minutes_is_refused_even_with_the_right_password():
    user = UserFactory(email="target@example.org")
    attacker, owner = Client(), Client()

    with time_machine.travel(WINDOW_START, tick=True) as traveller:
        # The address's case does not open a fresh allowance.
        typed = ["target@example.org", "TARGET@example.org", "Target@Example.org"]
        for attempt in range(5):
            password_login(attacker, typed[attempt % 3], f"wrong guess {attempt}")

        traveller.shift(timedelta(minutes=4, seconds=50))
        refused = password_login(owner, "target@example.org", DEFAULT_PASSWORD)
        assert refused.status_code == 200
        assert TOO_MANY_ATTEMPTS in refused.content.decode()
        assert signed_in_user_id(owner) is None

        traveller.shift(timedelta(seconds=11))
        allowed = password_login(owner, "target@example.org", DEFAULT_PASSWORD)
        assert allowed.status_code == 302
        assert signed_in_user_id(owner) == str(user.pk)


def test_failures_against_one_account_do_not_lock_out_another(client):
    UserFactory(email="target@example.org")
    bystander = UserFactory(email="bystander@example.org")
    for attempt in range(6):
        password_login(client, "target@example.org", f"wrong guess {attempt}")

    response = password_login(Client(), "bystander@example.org", DEFAULT_PASSWORD)

    assert response.status_code == 302
    bystander.refresh_from_db()
    assert bystander.last_login is not None


# --- password reset does not get around the second factor ---------------------------


def _reset_password_through_the_emailed_link(client: Client, email: str, new_password: str):
    requested = client.post(PASSWORD_RESET_URL, {"email": email})
    assert requested.status_code == 302
    (key_path,) = [link for link in links_in(last_mail_to(email)) if "/password/reset/key/" in link]
    form_page = client.get(key_path, follow=True)
    assert form_page.status_code == 200
    set_password_path = form_page.redirect_chain[-1][0]
    return client.post(set_password_path, {"password1": new_password, "password2": new_password})


def test_password_reset_leaves_the_person_signed_out_and_mfa_still_guards_sign_in(client):
    user = UserFactory(email="careful@example.org", roles=[Role.PRACTITIONER])
    secret = enrol_totp(user)
    new_password = "a brand new passphrase"

    with time_machine.travel(WINDOW_START, tick=False):
        done = _reset_password_through_the_emailed_link(client, "careful@example.org", new_password)

        assert done.status_code == 302
        assert done["Location"] == "/accounts/password/reset/key/done/"
        assert signed_in_user_id(client) is None
        user.refresh_from_db()
        assert user.check_password(new_password)

        # The old password is gone.
        assert password_login(Client(), "careful@example.org", DEFAULT_PASSWORD).status_code == 200

        step_one = password_login(client, "careful@example.org", new_password)
        assert step_one.status_code == 302
        assert step_one["Location"] == MFA_AUTHENTICATE_URL
        assert signed_in_user_id(client) is None

        wrong = mfa_authenticate(client, "000000" if totp_code(secret) != "000000" else "111111")
        assert wrong.status_code == 200
        assert signed_in_user_id(client) is None

        right = mfa_authenticate(client, totp_code(secret))
        assert right.status_code == 302
        assert signed_in_user_id(client) == str(user.pk)


def test_password_reset_for_an_unknown_address_looks_the_same_and_sends_no_link():
    UserFactory(email="known@example.org")

    known = Client().post(PASSWORD_RESET_URL, {"email": "known@example.org"})
    unknown = Client().post(PASSWORD_RESET_URL, {"email": "unknown@example.org"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    to_unknown = last_mail_to("unknown@example.org")
    assert not any("/password/reset/key/" in link for link in links_in(to_unknown))


# --- one-time codes are one-time -----------------------------------------------------


def test_a_totp_code_cannot_be_used_twice(client):
    user = UserFactory(email="practitioner@example.org", roles=[Role.PRACTITIONER])
    secret = enrol_totp(user)

    with time_machine.travel(WINDOW_START + timedelta(seconds=1), tick=False) as traveller:
        code = totp_code(secret)

        password_login(client, "practitioner@example.org", DEFAULT_PASSWORD)
        first = mfa_authenticate(client, code)
        assert first.status_code == 302
        assert signed_in_user_id(client) == str(user.pk)

        client.post(LOGOUT_URL)
        assert signed_in_user_id(client) is None

        traveller.shift(timedelta(seconds=10))
        assert totp_code(secret) == code  # still inside the code's period
        step_one = password_login(client, "practitioner@example.org", DEFAULT_PASSWORD)
        assert step_one["Location"] == MFA_AUTHENTICATE_URL
        replayed = mfa_authenticate(client, code)
        assert replayed.status_code == 200
        assert "Incorrect code" in replayed.content.decode()
        assert signed_in_user_id(client) is None

        # The next period's code works: only the used code was refused.
        traveller.shift(timedelta(seconds=mfa_settings.TOTP_PERIOD))
        fresh = mfa_authenticate(client, totp_code(secret))
        assert fresh.status_code == 302
        assert signed_in_user_id(client) == str(user.pk)


def test_a_code_from_another_period_is_refused(client):
    user = UserFactory(email="practitioner@example.org", roles=[Role.PRACTITIONER])
    secret = enrol_totp(user)

    with time_machine.travel(WINDOW_START + timedelta(seconds=1), tick=False):
        stale = totp_code(secret, at=(WINDOW_START - timedelta(minutes=5)).timestamp())
        if stale == totp_code(secret):  # one chance in a million
            stale = totp_code(secret, at=(WINDOW_START - timedelta(minutes=6)).timestamp())
        password_login(client, "practitioner@example.org", DEFAULT_PASSWORD)

        response = mfa_authenticate(client, stale)

    assert response.status_code == 200
    assert signed_in_user_id(client) is None


# --- headless API (apps and single-page clients) ------------------------------------


def _headless_login(client: Client, body) -> object:
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post("/_allauth/app/v1/auth/login", data=data, content_type="application/json")


def test_headless_login_returns_a_session_token_that_authenticates_later_requests():
    user = UserFactory(email="app.user@example.org")
    app = Client()

    response = _headless_login(app, {"email": "app.user@example.org", "password": DEFAULT_PASSWORD})

    assert response.status_code == 200
    body = response.json()
    assert body["meta"]["is_authenticated"] is True
    token = body["meta"]["session_token"]
    assert token
    assert body["data"]["user"]["email"] == "app.user@example.org"
    assert body["data"]["user"]["id"] == user.pk

    # A different client (no cookies) carries only the token.
    session = Client().get("/_allauth/app/v1/auth/session", HTTP_X_SESSION_TOKEN=token)
    assert session.status_code == 200
    assert session.json()["data"]["user"]["email"] == "app.user@example.org"

    anonymous = Client().get("/_allauth/app/v1/auth/session")
    assert anonymous.status_code == 401

    forged = Client().get("/_allauth/app/v1/auth/session", HTTP_X_SESSION_TOKEN="forged-token")
    assert forged.status_code in (401, 410)


def test_headless_login_with_a_wrong_password_is_a_400_with_errors():
    UserFactory(email="app.user@example.org")

    response = _headless_login(Client(), {"email": "app.user@example.org", "password": "wrong"})

    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400
    assert body["errors"]
    assert all("message" in error for error in body["errors"])
    assert "session_token" not in body.get("meta", {})


def test_headless_login_counts_towards_the_failed_login_limit():
    UserFactory(email="app.user@example.org")
    for attempt in range(5):
        _headless_login(Client(), {"email": "app.user@example.org", "password": f"wrong {attempt}"})

    response = _headless_login(
        Client(), {"email": "app.user@example.org", "password": DEFAULT_PASSWORD}
    )

    assert response.status_code == 400
    codes = [error.get("code") for error in response.json()["errors"]]
    assert "too_many_login_attempts" in codes


def test_headless_login_of_a_user_with_mfa_stops_at_the_second_factor():
    user = UserFactory(email="practitioner@example.org", roles=[Role.PRACTITIONER])
    secret = enrol_totp(user)

    with time_machine.travel(WINDOW_START + timedelta(seconds=1), tick=False):
        response = _headless_login(
            Client(), {"email": "practitioner@example.org", "password": DEFAULT_PASSWORD}
        )
        assert response.status_code == 401
        body = response.json()
        assert body["meta"]["is_authenticated"] is False
        pending = [flow["id"] for flow in body["data"]["flows"] if flow.get("is_pending")]
        assert pending == ["mfa_authenticate"]
        token = body["meta"]["session_token"]

        not_yet = Client().get("/_allauth/app/v1/auth/session", HTTP_X_SESSION_TOKEN=token)
        assert not_yet.status_code == 401

        second_step = Client().post(
            "/_allauth/app/v1/auth/2fa/authenticate",
            data=json.dumps({"code": totp_code(secret)}),
            content_type="application/json",
            HTTP_X_SESSION_TOKEN=token,
        )
        assert second_step.status_code == 200
        assert second_step.json()["meta"]["is_authenticated"] is True


def test_headless_browser_client_is_mounted(client):
    response = client.get("/_allauth/browser/v1/config")

    assert response.status_code == 200
    config = response.json()["data"]
    assert config["account"]["login_methods"] == ["email"]
    assert "totp" in config["mfa"]["supported_types"]


# --- bad input never produces a 500 --------------------------------------------------


@pytest.mark.parametrize(
    ("email", "password1", "password2"),
    [
        ("not-an-email", "a long enough passphrase", "a long enough passphrase"),
        ("someone@", "a long enough passphrase", "a long enough passphrase"),
        ("mismatch@example.org", "a long enough passphrase", "a different passphrase"),
        ("short@example.org", "short", "short"),
        ("x" * 5000 + "@example.org", "a long enough passphrase", "a long enough passphrase"),
        ("long@example.org", "p" * 10000, "p" * 9999 + "q"),
        ("", "", ""),
        ("nul\x00byte@example.org", "a long enough passphrase", "a long enough passphrase"),
    ],
    ids=[
        "no-at",
        "no-domain",
        "mismatch",
        "short-password",
        "huge-email",
        "huge-password",
        "empty",
        "nul-byte",
    ],
)
def test_sign_up_with_bad_input_shows_the_form_again(client, email, password1, password2):
    response = client.post(
        SIGNUP_URL, {"email": email, "password1": password1, "password2": password2}
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"login": ""},
        {"login": "someone@example.org"},
        {"password": "only a password"},
        {"login": "x" * 5000, "password": "y" * 5000},
    ],
    ids=["empty", "blank-login", "no-password", "no-login", "huge"],
)
def test_sign_in_with_bad_input_shows_the_form_again(client, data):
    response = client.post(LOGIN_URL, data)

    assert response.status_code == 200
    assert response.context["form"].errors
    assert signed_in_user_id(client) is None


@pytest.mark.parametrize(
    "body",
    ["{not json", "[]", '"a string"', "null", json.dumps({"email": 12, "password": ["x"]}), ""],
    ids=["malformed", "array", "string", "null", "wrong-types", "empty"],
)
def test_headless_login_with_invalid_json_is_a_400(body):
    response = _headless_login(Client(), body)

    assert response.status_code == 400


def test_confirm_email_with_a_garbage_key_shows_a_clear_page(client):
    response = client.get("/accounts/confirm-email/not-a-real-key/")

    assert response.status_code in (200, 404)
    text = response.content.decode()
    assert "expired or is invalid" in text
    assert "Traceback" not in text

    posted = client.post("/accounts/confirm-email/not-a-real-key/")
    assert posted.status_code in (200, 404)
    assert "Traceback" not in posted.content.decode()


def test_password_reset_with_a_garbage_key_shows_a_clear_page(client):
    response = client.get("/accounts/password/reset/key/zz-garbage/", follow=True)

    assert response.status_code == 200
    assert "Traceback" not in response.content.decode()
    assert response.context["token_fail"] is True


def test_mfa_step_without_a_pending_sign_in_does_not_fail(client):
    response = client.post(MFA_AUTHENTICATE_URL, {"code": "123456"})

    assert response.status_code in (302, 200)
    assert signed_in_user_id(client) is None
