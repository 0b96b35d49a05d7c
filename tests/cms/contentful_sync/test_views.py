"""POST /webhooks/contentful/: shared secret, coalesced sync requests, never a 500."""

import pytest
from django.core.cache import cache

from cms.contentful_sync.models import ContentfulRecord, ContentfulSyncRun
from cms.contentful_sync.services import QUEUED_KEY
from integrations.contentful.local import LocalContentful
from integrations.contentful.types import ContentfulUnauthorized

pytestmark = pytest.mark.django_db

URL = "/webhooks/contentful/"
SECRET = "s3cret-from-contentful"


@pytest.fixture(autouse=True)
def _secret(settings):
    settings.CONTENTFUL_WEBHOOK_SECRET = SECRET


def _post(client, secret=SECRET, **extra):
    headers = {"X-Contentful-Topic": "ContentManagement.Entry.publish"}
    if secret is not None:
        headers["X-Aeyia-Webhook-Secret"] = secret
    return client.post(
        URL,
        data=b'{"sys": {"id": "abc", "type": "Entry"}}',
        content_type="application/vnd.contentful.management.v1+json",
        headers=headers,
        **extra,
    )


@pytest.mark.parametrize("secret", [None, "", "wrong", SECRET + "x", SECRET[:-1], "é"])
def test_a_missing_or_wrong_secret_is_401_json(client, secret, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        response = _post(client, secret=secret)

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_secret"
    assert callbacks == []


def test_the_secret_is_compared_in_constant_time(client, monkeypatch):
    from cms.contentful_sync import views

    compared = []
    real = views.hmac.compare_digest

    def spy(given, expected):
        compared.append((given, expected))
        return real(given, expected)

    monkeypatch.setattr(views.hmac, "compare_digest", spy)

    assert _post(client, secret="wrong").status_code == 401
    assert _post(client).status_code == 202
    assert compared == [(b"wrong", SECRET.encode()), (SECRET.encode(), SECRET.encode())]


def test_an_unset_secret_accepts_nobody(client, settings):
    settings.CONTENTFUL_WEBHOOK_SECRET = ""

    assert _post(client, secret="").status_code == 401


def test_the_right_secret_runs_an_incremental_sync(client, django_capture_on_commit_callbacks):
    LocalContentful.publish(content_type="cat", entry_id="tom", fields={"name": "Tom"})

    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client)

    assert response.status_code == 202
    assert response.json() == {"received": True, "queued": True}
    assert ContentfulRecord.objects.filter(contentful_id="tom").exists()
    assert ContentfulSyncRun.objects.get().trigger == "webhook"


def test_a_burst_of_webhooks_enqueues_one_sync(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        responses = [_post(client) for _ in range(5)]

    assert [r.json()["queued"] for r in responses] == [True, False, False, False, False]
    assert len(callbacks) == 1
    # Once that task starts, the next webhook queues a new run.
    callbacks[0]()
    assert cache.get(QUEUED_KEY) is None
    assert _post(client).json()["queued"] is True


def test_a_failing_sync_behind_the_webhook_is_not_a_500(client, django_capture_on_commit_callbacks):
    LocalContentful.fail_next(ContentfulUnauthorized("bad token"))

    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client)

    assert response.status_code == 202
    assert ContentfulSyncRun.objects.get().outcome == ContentfulSyncRun.Outcome.FAILED


def test_other_methods_and_oversized_bodies_are_json_errors(client):
    get = client.get(URL)
    big = client.post(
        URL,
        data=b"x" * (1024 * 1024 + 1),
        content_type="application/json",
        headers={"X-Aeyia-Webhook-Secret": SECRET},
    )

    assert get.status_code == 405 and get.json()["code"] == "method_not_allowed"
    assert big.status_code == 413 and big.json()["code"] == "too_large"
