"""TRUSTED_PROXY_COUNT (config.settings.components.auth) is the one rule for the client's
address: allauth's own setting follows it, so sign-in limits and the lead form count the
same visitor behind the ingress."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from allauth import app_settings as allauth_settings
from django.conf import settings

from tests.accounts.flows import LOGIN_URL, TOO_MANY_ATTEMPTS, WRONG_CREDENTIALS

REPO_ROOT = Path(settings.BASE_DIR)
INGRESS = "10.42.0.7"
ADA = "203.0.113.7"
GRACE = "198.51.100.23"

# Runs in a subprocess, so the settings are built from the environment it is given.
PROBE = r"""
import json
import django
from django.conf import settings

django.setup()
from allauth import app_settings as allauth_settings
from allauth.account.adapter import get_adapter
from django.test import RequestFactory

from marketing_site.leads.ratelimit import client_address

request = RequestFactory().get(
    "/", REMOTE_ADDR="10.42.0.7", HTTP_X_FORWARDED_FOR="198.51.100.23, 203.0.113.7, 10.0.0.2"
)
print(json.dumps({
    "ours": settings.TRUSTED_PROXY_COUNT,
    "allauth": allauth_settings.TRUSTED_PROXY_COUNT,
    "allauth_address": get_adapter(request).get_client_ip(request),
    "lead_address": client_address(request),
}))
"""


def _load_settings(tmp_path, **environment) -> subprocess.CompletedProcess:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        **environment,
    }
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", PROBE],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _sign_in(client, email: str, *, forwarded_for: str):
    """A wrong password for `email`, sent through the ingress on behalf of a visitor."""
    return client.post(
        LOGIN_URL,
        {"login": email, "password": "wrong password"},
        REMOTE_ADDR=INGRESS,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def _probe(tmp_path, **environment) -> dict:
    result = _load_settings(tmp_path, **environment)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- allauth's setting follows ours ------------------------------------------------------


def test_by_default_nobody_is_trusted():
    assert settings.TRUSTED_PROXY_COUNT == 0
    assert settings.ALLAUTH_TRUSTED_PROXY_COUNT == settings.TRUSTED_PROXY_COUNT
    assert allauth_settings.TRUSTED_PROXY_COUNT == 0


def test_unset_means_the_peer_is_the_client(tmp_path):
    assert _probe(tmp_path) == {
        "ours": 0,
        "allauth": 0,
        "allauth_address": INGRESS,
        "lead_address": INGRESS,
    }


@pytest.mark.parametrize(("count", "address"), [("1", "10.0.0.2"), ("2", ADA), ("3", GRACE)])
def test_allauth_and_the_lead_form_follow_the_env_setting(tmp_path, count, address):
    assert _probe(tmp_path, TRUSTED_PROXY_COUNT=count) == {
        "ours": int(count),
        "allauth": int(count),
        "allauth_address": address,
        "lead_address": address,
    }


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("-1", "TRUSTED_PROXY_COUNT must be 0 or more, not -1."),
        ("two", "invalid literal for int() with base 10: 'two'"),
        ("1.5", "invalid literal for int() with base 10: '1.5'"),
    ],
)
def test_a_bad_value_stops_start_up(tmp_path, value, error):
    result = _load_settings(tmp_path, TRUSTED_PROXY_COUNT=value)

    assert result.returncode != 0
    assert error in result.stderr


# --- allauth's own limits count visitors, not the proxy ----------------------------------


@pytest.fixture
def one_ingress(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "2/m/ip"}


@pytest.mark.django_db
def test_failed_sign_ins_are_counted_per_visitor_behind_the_ingress(client, one_ingress):
    def attempt(number: int, forwarded_for: str) -> str:
        email = f"someone{number}@example.org"
        return _sign_in(client, email, forwarded_for=forwarded_for).content.decode()

    assert WRONG_CREDENTIALS in attempt(1, ADA)
    assert WRONG_CREDENTIALS in attempt(2, ADA)
    assert TOO_MANY_ATTEMPTS in attempt(3, ADA)
    # Ada claiming Grace's address: the ingress appended her real one.
    assert TOO_MANY_ATTEMPTS in attempt(4, f"{GRACE}, {ADA}")
    # Grace, behind the same ingress, is not blocked by Ada.
    assert WRONG_CREDENTIALS in attempt(5, GRACE)


@pytest.mark.django_db
def test_a_forged_header_is_ignored_at_sign_in_when_nobody_is_trusted(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "2/m/ip"}

    def attempt(number: int, forwarded_for: str) -> str:
        email = f"someone{number}@example.org"
        return _sign_in(client, email, forwarded_for=forwarded_for).content.decode()

    attempt(1, ADA)
    attempt(2, GRACE)
    assert TOO_MANY_ATTEMPTS in attempt(3, "192.0.2.99")


@pytest.mark.django_db
@pytest.mark.parametrize("garbage", ["garbage", " , ", f"{ADA}, not-an-address"])
def test_garbage_in_the_trusted_hop_is_refused_at_sign_in_never_a_500(client, one_ingress, garbage):
    # allauth refuses (403) when it cannot tell who the client is; through the ingress
    # that cannot happen, because the ingress wrote the hop it reads.
    response = _sign_in(client, "someone@example.org", forwarded_for=garbage)

    assert response.status_code == 403


@pytest.mark.django_db
def test_a_request_with_fewer_hops_than_trusted_counts_as_its_peer_never_a_500(client, settings):
    # Set too high (or a request that skipped the outer proxy): allauth alone answers 500.
    settings.TRUSTED_PROXY_COUNT = 3
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 3
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "1/m/ip"}

    first = _sign_in(client, "someone1@example.org", forwarded_for=ADA)
    second = _sign_in(client, "someone2@example.org", forwarded_for=GRACE)

    assert first.status_code == 200 and WRONG_CREDENTIALS in first.content.decode()
    # Both counted against the ingress that sent them: one bucket, so no way around it.
    assert TOO_MANY_ATTEMPTS in second.content.decode()
