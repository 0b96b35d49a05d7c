"""Fault drills: Redis (the cache) goes down and comes back (decision 0019).

Each test starts its own redis-server on a free port, points the default cache at it,
and stops that server; the shared Redis is never touched. With the cache down: pages are
served uncached, sessions (in the database) keep people signed in, API reads answer, the
rate limits that must fail closed (sign-in, sign-up, password reset, lead forms, voucher
codes) refuse with "try again shortly" and never a 500, and /readyz answers 503 naming
the cache. Once Redis is back, pages are cached and the refused actions go through."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
import redis
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from commerce.partners.models import PoolEnrollment
from config import cache_backend
from marketing_site.leads.models import Lead
from marketing_site.pages.caching import CACHE_HEADER
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.accounts.flows import commit_pending, password_login, signed_in_user_id
from tests.commerce.partners.factories import VoucherCodeFactory
from tests.marketing_site.leads.factories import newsletter_page
from tests.marketing_site.pages.factories import StandardPageFactory, home_page

pytestmark = pytest.mark.django_db

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
UNAVAILABLE = "unavailable for a moment"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OwnRedis:
    """A redis-server this test started, on its own port, without persistence: stopping
    it loses its data, as a crashed cache node would."""

    def __init__(self, directory: Path) -> None:
        self.port = _free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        if not Path(REDIS_SERVER).exists():
            pytest.fail("The cache fault drills need redis-server (apt-get install redis-server).")
        log = (self.directory / "redis.log").open("ab")
        self.process = subprocess.Popen(  # noqa: S603
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],  # fmt: skip
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        client = redis.Redis(port=self.port, socket_connect_timeout=1)
        deadline = time.monotonic() + 20
        while True:
            if self.process.poll() is not None:
                pytest.fail(f"redis-server exited: {(self.directory / 'redis.log').read_text()}")
            try:
                if client.ping():
                    return
            except redis.exceptions.ConnectionError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("redis-server never answered")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def restart(self) -> None:
        self.start()

    def keys(self) -> list[bytes]:
        return redis.Redis(port=self.port).keys("*")


@pytest.fixture
def own_redis(tmp_path, settings, monkeypatch):
    """The default cache on a redis-server of this test's own (stopped at the end)."""
    server = OwnRedis(tmp_path)
    server.start()
    # This process's outage memory starts empty (it is per Redis location anyway).
    monkeypatch.setattr(cache_backend, "_states", {})
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache_backend.FailSoftRedisCache",
            "LOCATION": server.url,
            "KEY_PREFIX": "drill",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    try:
        yield server
    finally:
        server.stop()


def _back_up(client, own_redis: OwnRedis) -> None:
    """Redis returns; the readiness probe reaches it at once (it ignores the pause the
    process took after the failures) and its success ends the pause."""
    own_redis.restart()
    assert client.get("/readyz").json()["checks"]["cache"] == "ok"


# --- pages ---------------------------------------------------------------------------


def test_pages_are_served_uncached_while_redis_is_down_and_cached_again_after(client, own_redis):
    home_page()
    StandardPageFactory(parent=home_page(), title="About", slug="about")
    assert client.get("/about/")[CACHE_HEADER] == "miss"
    assert client.get("/about/")[CACHE_HEADER] == "hit"

    own_redis.stop()

    for path in ("/", "/about/", "/about/?utm_source=mail"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.get(CACHE_HEADER) != "hit"
    assert "About" in client.get("/about/").content.decode()

    _back_up(client, own_redis)

    assert client.get("/about/")[CACHE_HEADER] == "miss"
    assert client.get("/about/")[CACHE_HEADER] == "hit"
    assert own_redis.keys()


def test_a_signed_in_person_stays_signed_in_and_a_sign_out_sticks(client, own_redis):
    """Sessions are in the database: they survive the outage, and a sign-out made during
    it is not undone by a cached copy when Redis returns."""
    client.force_login(UserFactory())
    own_redis.stop()

    assert client.get("/account/").status_code == 200
    assert client.get("/").status_code == 200

    client.post("/accounts/logout/")
    _back_up(client, own_redis)

    response = client.get("/account/")
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_api_reads_answer_while_redis_is_down(client, own_redis):
    """The read endpoints' throttles fail open."""
    own_redis.stop()

    assert client.get("/api/v1/practitioners/").status_code == 200
    assert client.get("/api/v1/courses/").status_code == 200
    client.force_login(UserFactory())
    assert client.get("/api/v1/me/").status_code == 200
    assert client.get("/api/v1/courses/").status_code == 200


# --- rate limits that fail closed ---------------------------------------------------


def test_sign_in_is_refused_while_redis_is_down(client, own_redis):
    """Even the right password: the failed-login limit cannot be counted, and letting
    attempts through uncounted would open the door to password guessing."""
    user = UserFactory()
    own_redis.stop()

    response = password_login(client, user.email, DEFAULT_PASSWORD)

    # allauth's per-address limit on the sign-in page refuses first (config.views).
    assert response.status_code == 429
    assert UNAVAILABLE in response.content.decode()
    assert int(response["Retry-After"]) > 0
    assert signed_in_user_id(client) is None

    _back_up(client, own_redis)
    response = password_login(client, user.email, DEFAULT_PASSWORD)
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(user.pk)


def test_sign_up_and_password_reset_are_refused_while_redis_is_down(client, own_redis):
    user = UserFactory()
    own_redis.stop()

    signup = client.post(
        "/accounts/signup/",
        {"email": "new@example.org", "password1": DEFAULT_PASSWORD, "password2": DEFAULT_PASSWORD},
    )
    reset = client.post("/accounts/password/reset/", {"email": user.email})

    for response in (signup, reset):
        assert response.status_code == 429
        assert UNAVAILABLE in response.content.decode()
        assert int(response["Retry-After"]) > 0
    assert not get_user_model().objects.filter(email="new@example.org").exists()
    assert mail.outbox == []

    _back_up(client, own_redis)
    assert client.post("/accounts/password/reset/", {"email": user.email}).status_code == 302
    commit_pending()  # the request's commit, which sends allauth's email (decision 0038)
    assert [message.to for message in mail.outbox] == [[user.email]]


def test_the_lead_form_asks_to_try_again_and_keeps_what_was_typed(client, own_redis):
    newsletter_page()
    html = client.get("/newsletter/").content.decode()
    fields = {
        "form_token": re.search(r'name="form_token" value="([^"]+)"', html).group(1),
        "source_page": "/newsletter/",
        "email": "ada@example.org",
        "name": "Ada Lovelace",
        "consent": "on",
    }
    own_redis.stop()

    page = client.post(reverse("leads:submit"), fields)
    api = client.post(
        "/api/v1/leads/",
        {"email": "grace@example.org", "consent": True, "consent_text": "Yes, email me."},
        content_type="application/json",
    )

    assert page.status_code == 429
    text = page.content.decode()
    assert "try again shortly" in text
    assert 'value="ada@example.org"' in text
    assert 'value="Ada Lovelace"' in text
    assert api.status_code == 429
    assert api.json()["code"] == "temporarily_unavailable"
    assert "Retry-After" in api
    assert not Lead.objects.exists()

    _back_up(client, own_redis)
    assert client.post(reverse("leads:submit"), fields).status_code == 302
    assert Lead.objects.get().email == "ada@example.org"


def test_voucher_codes_cannot_be_tried_while_redis_is_down(client, own_redis):
    voucher = VoucherCodeFactory(code="SOCIETY-2026")
    user = UserFactory()
    client.force_login(user)
    own_redis.stop()

    api = client.post(
        "/api/v1/partners/vouchers/redeem/", {"code": voucher.code}, content_type="application/json"
    )
    page = client.post(reverse("partners:join"), {"code": voucher.code})

    assert api.status_code == 429
    assert api.json()["code"] == "temporarily_unavailable"
    assert "Retry-After" in api
    assert page.status_code == 429
    assert "Please try again shortly" in page.content.decode()
    assert not PoolEnrollment.objects.filter(user=user).exists()

    _back_up(client, own_redis)
    again = client.post(
        "/api/v1/partners/vouchers/redeem/", {"code": voucher.code}, content_type="application/json"
    )
    assert again.status_code == 200
    assert PoolEnrollment.objects.filter(user=user).exists()


# --- probes --------------------------------------------------------------------------


def test_readyz_names_the_cache_while_redis_is_down_and_healthz_stays_up(client, own_redis):
    assert client.get("/readyz").status_code == 200
    own_redis.stop()

    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["cache"] == "unavailable"
    assert body["checks"]["database"] == "ok"
    assert "Traceback" not in response.content.decode()
    assert str(own_redis.port) not in response.content.decode()
    assert client.get("/healthz").status_code == 200
    # What the Kubernetes readiness probe asks: the pod keeps serving, degraded.
    database_only = client.get("/readyz?checks=database")
    assert database_only.status_code == 200
    assert database_only.json() == {"status": "ok", "checks": {"database": "ok"}}

    own_redis.restart()
    assert client.get("/readyz").status_code == 200
