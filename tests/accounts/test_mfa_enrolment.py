"""Enrolling an authenticator app where the second-factor policy sends a privileged
person (accounts.mfa_enrolment, AccountAdapter.is_reauthentication_required): right after
signing in it does not ask for the password again, and it ends back on the page the person
asked for; a sign-in older than the reauthentication window still asks, and `next` is only
ever a local path."""

import time

import pytest
from allauth.account import app_settings as account_settings

from accounts.roles import Role
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory, totp_code
from tests.accounts.flows import password_login

pytestmark = pytest.mark.django_db

ACTIVATE = "/accounts/2fa/totp/activate/"
REAUTHENTICATE = "/accounts/reauthenticate/"


@pytest.fixture
def practitioner():
    return UserFactory(email="nadia@example.org", roles=[Role.PRACTITIONER])


def _activate(client, page) -> object:
    """Reads the secret the activation page shows and posts its current code."""
    secret = page.context["form"].secret
    return client.post(ACTIVATE, {"code": totp_code(secret)})


def test_enrolment_right_after_sign_in_skips_the_password_and_returns_to_the_page(
    client, practitioner
):
    assert password_login(client, practitioner.email, DEFAULT_PASSWORD).status_code == 302

    interrupted = client.get("/dashboard/?week=2026-12-07")
    assert interrupted.status_code == 302
    assert interrupted["Location"] == f"{ACTIVATE}?next=%2Fdashboard%2F%3Fweek%3D2026-12-07"

    form_page = client.get(interrupted["Location"])
    assert form_page.status_code == 200  # not a redirect to the password prompt
    assert "Activate Authenticator App" in form_page.content.decode()

    activated = _activate(client, form_page)
    assert activated.status_code == 302
    assert activated["Location"] == (
        "/accounts/2fa/recovery-codes/?next=%2Fdashboard%2F%3Fweek%3D2026-12-07"
    )

    codes = client.get(activated["Location"])
    html = codes.content.decode()
    assert codes.context["unused_codes"]
    assert 'href="/dashboard/?week=2026-12-07"' in html
    assert client.get("/dashboard/?week=2026-12-07").status_code == 200


def test_a_sign_in_older_than_the_window_still_asks_for_the_password(
    client, practitioner, monkeypatch
):
    password_login(client, practitioner.email, DEFAULT_PASSWORD)
    later = time.time() + account_settings.REAUTHENTICATION_TIMEOUT + 1
    monkeypatch.setattr(time, "time", lambda: later)

    response = client.get(f"{ACTIVATE}?next=/dashboard/")

    assert response.status_code == 302
    assert response["Location"].startswith(REAUTHENTICATE)


def test_a_session_without_a_recorded_sign_in_still_asks_for_the_password(client, practitioner):
    client.force_login(practitioner)

    response = client.get(f"{ACTIVATE}?next=/dashboard/")

    assert response.status_code == 302
    assert response["Location"].startswith(REAUTHENTICATE)


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/path", "javascript:alert(1)", "dashboard/"],
)
def test_next_is_only_ever_a_local_path(client, practitioner, next_url):
    password_login(client, practitioner.email, DEFAULT_PASSWORD)
    form_page = client.get(ACTIVATE, {"next": next_url})

    activated = _activate(client, form_page)
    assert activated["Location"] == "/accounts/2fa/recovery-codes/"

    codes = client.get("/accounts/2fa/recovery-codes/", {"next": next_url})
    assert codes.context["continue_url"] is None
    assert "evil.example" not in codes.content.decode()


def test_without_next_enrolment_ends_on_the_recovery_codes_as_before(client, practitioner):
    password_login(client, practitioner.email, DEFAULT_PASSWORD)
    form_page = client.get(ACTIVATE)

    activated = _activate(client, form_page)

    assert activated["Location"] == "/accounts/2fa/recovery-codes/"
    assert client.get(activated["Location"]).context["continue_url"] is None
