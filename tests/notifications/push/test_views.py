"""The push subscription endpoint, the manifest, the service worker and the offline page."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client
from PIL import Image

from notifications.push.models import PushSubscription
from tests.accounts.factories import UserFactory
from tests.notifications.push.support import Browser

pytestmark = pytest.mark.django_db

URL = "/account/notifications/push/subscriptions/"
ENDPOINT = "https://fcm.googleapis.com/fcm/send/dGVzdC1zdWJzY3JpcHRpb24"


def post(client, body, *, method="post", **extra):
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return getattr(client, method)(URL, data=data, content_type="application/json", **extra)


@pytest.fixture
def person_client(client):
    user = UserFactory()
    client.force_login(user)
    client.user = user
    return client


def test_a_signed_in_person_stores_their_browser_subscription(person_client):
    browser = Browser()
    response = post(
        person_client, browser.subscription_json(ENDPOINT), HTTP_USER_AGENT="Mozilla/5.0 (Android)"
    )

    assert response.status_code == 201
    subscription = PushSubscription.objects.get()
    assert response.json() == {"id": subscription.pk, "subscribed": True}
    assert subscription.user == person_client.user
    assert subscription.endpoint == ENDPOINT
    assert (subscription.p256dh, subscription.auth) == (browser.p256dh, browser.auth)
    assert subscription.user_agent == "Mozilla/5.0 (Android)"


def test_subscribing_again_refreshes_the_same_row(person_client):
    post(person_client, Browser().subscription_json(ENDPOINT))
    renewed = Browser()
    response = post(person_client, renewed.subscription_json(ENDPOINT))

    assert response.status_code == 200
    subscription = PushSubscription.objects.get()
    assert subscription.p256dh == renewed.p256dh


def test_a_browser_someone_else_subscribed_moves_to_the_person_asking(person_client):
    """One browser profile has one subscription for the site: whoever turns push on there
    last is the one it notifies."""
    previous = UserFactory()
    PushSubscription.objects.create(
        user=previous, endpoint=ENDPOINT, p256dh=Browser().p256dh, auth=Browser().auth
    )

    assert post(person_client, Browser().subscription_json(ENDPOINT)).status_code == 200

    assert PushSubscription.objects.get().user == person_client.user


def test_the_oldest_subscriptions_go_past_the_limit(person_client, settings):
    settings.WEBPUSH_MAX_SUBSCRIPTIONS_PER_USER = 2
    for name in ("first", "second", "third"):
        assert (
            post(person_client, Browser().subscription_json(f"{ENDPOINT}-{name}")).status_code
            == 201
        )
    assert sorted(PushSubscription.objects.values_list("endpoint", flat=True)) == [
        f"{ENDPOINT}-second",
        f"{ENDPOINT}-third",
    ]


def test_get_says_whether_the_browser_notifies_this_person(person_client):
    post(person_client, Browser().subscription_json(ENDPOINT))
    assert person_client.get(URL, {"endpoint": ENDPOINT}).json() == {"subscribed": True}
    assert person_client.get(URL, {"endpoint": ENDPOINT + "x"}).json() == {"subscribed": False}
    assert person_client.get(URL).status_code == 400


def test_delete_removes_only_the_persons_own_subscription(person_client):
    post(person_client, Browser().subscription_json(ENDPOINT))
    stranger = PushSubscription.objects.create(
        user=UserFactory(),
        endpoint=ENDPOINT + "-theirs",
        p256dh=Browser().p256dh,
        auth=Browser().auth,
    )

    other = post(person_client, {"endpoint": stranger.endpoint}, method="delete")
    assert other.status_code == 404
    assert other.json()["code"] == "not_found"
    assert PushSubscription.objects.filter(pk=stranger.pk).exists()

    own = post(person_client, {"endpoint": ENDPOINT}, method="delete")
    assert own.status_code == 204
    assert list(PushSubscription.objects.all()) == [stranger]


def _bad_key() -> str:
    # 65 bytes that start like a point but are not on the curve.
    return "BA" + "A" * 85


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"endpoint": ""}, "endpoint"),
        ({"endpoint": None}, "endpoint"),
        ({"endpoint": "http://fcm.googleapis.com/fcm/send/x"}, "endpoint"),
        ({"endpoint": "ftp://push.example/x"}, "endpoint"),
        ({"endpoint": "https://user:pw@push.example/x"}, "endpoint"),
        ({"endpoint": "https://10.0.0.5/push"}, "endpoint"),
        ({"endpoint": "https://169.254.169.254/latest/meta-data"}, "endpoint"),
        ({"endpoint": "https://metadata.google.internal/x"}, "endpoint"),
        ({"endpoint": "https://push.example:8443/x"}, "endpoint"),
        ({"endpoint": "http://127.0.0.1:9999/push"}, "endpoint"),
        ({"endpoint": "https://push.example/" + "a" * 2100}, "endpoint"),
        ({"endpoint": ["https://push.example/x"]}, "endpoint"),
        ({"keys": {"p256dh": "not base64!", "auth": "AAAAAAAAAAAAAAAAAAAAAA"}}, "keys.p256dh"),
        ({"keys": {"p256dh": "AAAA", "auth": "AAAAAAAAAAAAAAAAAAAAAA"}}, "keys.p256dh"),
        ({"keys": {"p256dh": _bad_key(), "auth": "AAAAAAAAAAAAAAAAAAAAAA"}}, "keys.p256dh"),
        ({"keys": {"p256dh": 12, "auth": "AAAAAAAAAAAAAAAAAAAAAA"}}, "keys.p256dh"),
        ({"keys": {"p256dh": None, "auth": None}}, "keys.auth"),
        ({"keys": {"auth": "AAAA"}}, "keys.auth"),
        ({"keys": "p256dh"}, "keys.p256dh"),
    ],
)
def test_bad_subscriptions_are_refused_with_the_field_named(person_client, body, field):
    good = Browser().subscription_json(ENDPOINT)
    keys = (
        {**good["keys"], **body.get("keys", {})}
        if isinstance(body.get("keys"), dict)
        else body.get("keys")
    )
    response = post(person_client, {**good, **body, "keys": keys})

    assert response.status_code == 400
    answer = response.json()
    assert answer["code"] == "invalid"
    assert field in answer["errors"]
    assert not PushSubscription.objects.exists()


@pytest.mark.parametrize(
    "body", [b"{not json", b"[]", b'"text"', "\udcff".encode("utf-8", "surrogatepass")]
)
def test_bodies_that_are_not_a_json_object_are_400(person_client, body):
    response = post(person_client, body)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_json"


def test_a_huge_body_is_413(person_client):
    response = post(person_client, {"endpoint": "https://push.example/" + "a" * 10_000})
    assert response.status_code == 413


def test_loopback_endpoints_pass_only_where_allowed(person_client, settings):
    body = Browser().subscription_json("http://127.0.0.1:9999/push/one")
    assert post(person_client, body).status_code == 400
    settings.WEBPUSH_ALLOW_LOOPBACK_ENDPOINTS = True
    assert post(person_client, body).status_code == 201


def test_signed_out_callers_get_401(client):
    response = post(client, Browser().subscription_json(ENDPOINT))
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert client.get(URL, {"endpoint": ENDPOINT}).status_code == 401


def test_csrf_is_required():
    user = UserFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert post(client, Browser().subscription_json(ENDPOINT)).status_code == 403
    assert post(client, {"endpoint": ENDPOINT}, method="delete").status_code == 403
    assert not PushSubscription.objects.exists()


def test_other_methods_are_405(person_client):
    assert person_client.put(URL, data="{}", content_type="application/json").status_code == 405


def test_the_manifest_makes_the_site_installable(client):
    response = client.get("/manifest.webmanifest")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "Aeyia" and manifest["short_name"] == "Aeyia"
    assert manifest["start_url"] == "/?source=pwa"
    assert manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#17504d"
    assert manifest["background_color"] == "#fbf7f0"
    purposes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {
        ("192x192", "any"),
        ("512x512", "any"),
        ("192x192", "maskable"),
        ("512x512", "maskable"),
    } <= purposes
    for icon in manifest["icons"]:
        path = finders.find(icon["src"].removeprefix(settings.STATIC_URL))
        assert path, icon
        with Image.open(path) as image:
            assert image.format == "PNG"
            assert f"{image.width}x{image.height}" == icon["sizes"]
            if icon["purpose"] == "maskable":
                # Full bleed: a maskable icon has no transparent corners to be cut into.
                assert image.convert("RGBA").getpixel((0, 0))[3] == 255


def test_the_apple_touch_icon_is_opaque_and_180px():
    with Image.open(finders.find("icons/apple-touch-icon.png")) as image:
        assert image.size == (180, 180)
        assert image.mode == "RGB"


def test_the_service_worker_is_served_at_the_root_and_never_cached_long(client):
    response = client.get("/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    assert '"/offline/"' in body
    assert settings.STATIC_URL + "css/site.css" in body
    assert 'addEventListener("push"' in body and 'addEventListener("notificationclick"' in body
    assert "{{" not in body and "{%" not in body


def test_the_offline_page_names_no_one(client):
    response = client.get("/offline/")
    assert response.status_code == 200
    assert "You’re offline" in response.content.decode()
    assert '<meta name="robots" content="noindex">' in response.content.decode()


def test_every_page_links_the_manifest_and_registers_the_worker(client):
    page = client.get("/offline/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert 'rel="apple-touch-icon"' in page
    assert '<meta name="apple-mobile-web-app-capable" content="yes">' in page
    assert 'data-service-worker="/sw.js"' in page
    assert "<script>" not in page  # the CSP allows no inline script
