"""Consent withdrawal, both ways. Aeyia → Klaviyo: the signed one-click unsubscribe link
and RFC 8058 headers in every email, a GET that only shows a button, a POST (the page's
or a mail client's one-click) that records it and queues Klaviyo's bulk unsubscribe with
back-off. Klaviyo → Aeyia: the beat task that pulls suppressions since the stored mark,
page by page, resumable and idempotent. Re-subscribing needs fresh consent and a new
confirmation; the funnel counts unsubscribes by reason without extra queries."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from celery.app.task import Task
from django.conf import settings as django_settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from integrations.klaviyo.local import LocalKlaviyo
from integrations.klaviyo.types import KlaviyoError
from marketing_site.leads.attribution import Attribution
from marketing_site.leads.models import (
    KlaviyoFailure,
    KlaviyoSuppressionSync,
    Lead,
    UnsubscribeReason,
)
from marketing_site.leads.selectors import lead_funnel
from marketing_site.leads.services import (
    lead_capture,
    lead_confirm,
    lead_suppressions_pull,
    lead_unsubscribe,
    person_erase,
)
from marketing_site.leads.tasks import (
    lead_klaviyo_subscribe,
    lead_klaviyo_unsubscribe,
    pull_klaviyo_suppressions,
)
from marketing_site.leads.tokens import confirmation_token_for, unsubscribe_token_for
from tests.integrations.klaviyo.support import schema_errors
from tests.marketing_site.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db

UNSUBSCRIBE_LINK = re.compile(r"https?://\S+/leads/unsubscribe/[^/\s]+/")
ONE_CLICK = "List-Unsubscribe=One-Click"


@pytest.fixture
def retries(monkeypatch):
    """Countdowns of every retry a task asks Celery for."""
    asked: list[int] = []
    original = Task.retry

    def spy(self, *args, **kwargs):
        asked.append(kwargs.get("countdown"))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Task, "retry", spy)
    return asked


def _confirmed(**kwargs) -> Lead:
    kwargs.setdefault("confirmed_at", timezone.now() - timedelta(days=1))
    return LeadFactory(**kwargs)


def _unsubscribe_url(lead: Lead) -> str:
    return reverse("leads:unsubscribe", kwargs={"token": unsubscribe_token_for(lead)})


def _capture(email="ada@example.org", consent_text="Email me the letter."):
    return lead_capture(
        email=email,
        consent_text=consent_text,
        is_consent_given=True,
        attribution=Attribution(first_touch={}, last_touch={}),
        source_page="/newsletter/",
    )


# ---- Aeyia → Klaviyo ----


def test_the_confirmation_email_carries_the_link_and_rfc_8058_headers(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        _capture()

    (message,) = mail.outbox
    link = UNSUBSCRIBE_LINK.search(message.body).group(0)
    assert message.extra_headers["List-Unsubscribe"] == f"<{link}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == ONE_CLICK
    rendered = message.message()
    assert rendered["List-Unsubscribe-Post"] == ONE_CLICK
    assert link.startswith(django_settings.SITE_URL.rstrip("/"))


def test_get_only_shows_a_button_and_post_unsubscribes_once(
    client, local_klaviyo, django_capture_on_commit_callbacks
):
    lead = _confirmed(email="ada@example.org")
    url = _unsubscribe_url(lead)

    shown = client.get(url)
    assert shown.status_code == 200
    html = shown.content.decode()
    assert "<h1>Unsubscribe</h1>" in html and ">Unsubscribe</button>" in html
    assert "no-cache" in shown["Cache-Control"] or "no-store" in shown["Cache-Control"]
    lead.refresh_from_db()
    assert lead.unsubscribed_at is None  # a mail scanner opening the link changes nothing

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url)

    assert done.status_code == 200
    assert "You are unsubscribed" in done.content.decode()
    lead.refresh_from_db()
    assert lead.is_unsubscribed and not lead.is_subscribed
    assert lead.unsubscribe_reason == UnsubscribeReason.AEYIA
    (body,) = local_klaviyo.requests_for("list_unsubscribe")
    assert schema_errors("list_unsubscribe", body) == []
    assert body["data"]["relationships"]["list"]["data"]["id"] == "LIST123"
    assert local_klaviyo.suppressions["ada@example.org"].reason == "UNSUBSCRIBE"
    statuses = [
        request.body["data"]["attributes"]["properties"]["lead_status"]
        for request in local_klaviyo.requests
        if request.operation == "profile_upsert"
    ]
    assert statuses[-1] == "unsubscribed"

    first_time = lead.unsubscribed_at
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(url)
    assert again.status_code == 200
    lead.refresh_from_db()
    assert lead.unsubscribed_at == first_time
    assert len(local_klaviyo.requests_for("list_unsubscribe")) == 1
    assert "You are unsubscribed" in client.get(url).content.decode()


def test_the_one_click_post_needs_no_csrf_token(
    client, local_klaviyo, django_capture_on_commit_callbacks
):
    lead = LeadFactory(email="ada@example.org")  # still pending: the confirmation email
    client.handler.enforce_csrf_checks = True

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _unsubscribe_url(lead),
            data=ONE_CLICK,
            content_type="application/x-www-form-urlencoded",
        )

    assert response.status_code == 200
    lead.refresh_from_db()
    assert lead.is_unsubscribed
    assert len(local_klaviyo.requests_for("list_unsubscribe")) == 1


def test_bad_expired_tampered_or_foreign_tokens_get_a_clear_404(client):
    lead = _confirmed(email="ada@example.org")
    token = unsubscribe_token_for(lead)
    moved = _confirmed(email="old@example.org")
    moved_token = unsubscribe_token_for(moved)
    moved.email = "new@example.org"
    moved.save()

    bad = [
        "nonsense",
        token[:-3] + "abc",
        confirmation_token_for(lead),  # a confirmation token is not an unsubscribe token
        moved_token,  # the address changed since the email
    ]
    for value in bad:
        for method in (client.get, client.post):
            response = method(reverse("leads:unsubscribe", kwargs={"token": value}))
            assert response.status_code == 404
            assert "This link does not work" in response.content.decode()

    with time_machine.travel(timezone.now() + timedelta(days=366)):
        expired = client.post(reverse("leads:unsubscribe", kwargs={"token": token}))
    assert expired.status_code == 404
    assert client.put(_unsubscribe_url(lead)).status_code == 405
    lead.refresh_from_db()
    assert lead.unsubscribed_at is None


def test_a_throttled_unsubscribe_backs_off_with_retry_after(settings, retries, local_klaviyo):
    settings.KLAVIYO_MAX_RETRIES = 5
    lead = _confirmed(email="ada@example.org", unsubscribed_at=timezone.now())
    local_klaviyo.fail_next("list_unsubscribe", status=429, retry_after=30, times=2)

    assert lead_klaviyo_unsubscribe.delay(lead.pk).get() is True

    assert retries == [30, 30]
    assert local_klaviyo.unsubscriptions == ["ada@example.org"]


def test_an_unsubscribe_that_keeps_failing_is_recorded_for_staff(settings, retries):
    settings.KLAVIYO_MAX_RETRIES = 2
    lead = _confirmed(email="ada@example.org", unsubscribed_at=timezone.now())
    LocalKlaviyo.fail_next("list_unsubscribe", status=503, times=10)

    assert lead_klaviyo_unsubscribe.delay(lead.pk).get() is False

    assert retries == [10, 20]
    failure = KlaviyoFailure.objects.get()
    assert (failure.operation, failure.email, failure.attempts) == (
        "list_unsubscribe",
        "ada@example.org",
        3,
    )


def test_an_unsubscribed_lead_is_never_subscribed_by_a_waiting_job(
    local_klaviyo, django_capture_on_commit_callbacks
):
    lead = LeadFactory(email="ada@example.org")
    with django_capture_on_commit_callbacks(execute=False) as queued:
        lead_confirm(lead=lead)
    # The person unsubscribes before the (delayed, retrying) subscription job runs.
    lead_unsubscribe(lead=lead)
    for callback in queued:
        callback()

    assert local_klaviyo.requests_for("list_subscribe") == []
    assert lead_klaviyo_subscribe.delay(lead.pk).get() is False
    assert local_klaviyo.requests_for("list_subscribe") == []


def test_a_waiting_unsubscribe_does_not_undo_a_newer_confirmation(local_klaviyo):
    lead = _confirmed(email="ada@example.org")
    lead.unsubscribed_at = lead.confirmed_at - timedelta(days=1)
    lead.save()

    assert lead_klaviyo_unsubscribe.delay(lead.pk).get() is False
    assert local_klaviyo.requests_for("list_unsubscribe") == []


def test_an_old_confirmation_link_cannot_resubscribe(
    client, local_klaviyo, django_capture_on_commit_callbacks
):
    lead = LeadFactory(email="ada@example.org")
    confirm_url = reverse("leads:confirm", kwargs={"token": confirmation_token_for(lead)})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_unsubscribe_url(lead))

    with django_capture_on_commit_callbacks(execute=True):
        for response in (client.get(confirm_url), client.post(confirm_url)):
            assert response.status_code == 404
            assert "You unsubscribed after we sent this link" in response.content.decode()

    lead.refresh_from_db()
    assert lead.confirmed_at is None and lead.is_unsubscribed
    assert local_klaviyo.requests_for("list_subscribe") == []


def test_fresh_consent_reopens_double_opt_in_and_a_new_confirmation_resubscribes(
    local_klaviyo, django_capture_on_commit_callbacks
):
    lead = _confirmed(email="ada@example.org", consent_text="Old text.")
    with django_capture_on_commit_callbacks(execute=True):
        lead_unsubscribe(lead=lead)

    later = timezone.now() + timedelta(minutes=30)
    with time_machine.travel(later):
        with django_capture_on_commit_callbacks(execute=True):
            result = _capture(consent_text="New text I saw today.")
        lead.refresh_from_db()
        assert result.confirmation_sent is True
        assert lead.consent_text == "New text I saw today."
        assert lead.consent_given_at > lead.unsubscribed_at
        assert lead.is_unsubscribed  # still off the list until they confirm again
        (message,) = mail.outbox

        with django_capture_on_commit_callbacks(execute=True):
            assert lead_confirm(lead=lead) is True

    lead.refresh_from_db()
    assert lead.is_subscribed and not lead.is_unsubscribed
    assert lead.unsubscribed_at is not None  # kept as history, no longer applies
    (body,) = local_klaviyo.requests_for("list_subscribe")
    consent = body["data"]["attributes"]["profiles"]["data"][0]["attributes"]["subscriptions"]
    assert consent["email"]["marketing"]["consented_at"] == lead.consent_given_at.isoformat()
    assert local_klaviyo.profiles["ada@example.org"].lists == {"LIST123"}
    assert UNSUBSCRIBE_LINK.search(message.body)


def test_without_fresh_consent_nothing_is_reopened(django_capture_on_commit_callbacks):
    lead = _confirmed(email="ada@example.org")
    lead_unsubscribe(lead=lead)

    with django_capture_on_commit_callbacks(execute=True):
        lead_capture(
            email="ada@example.org",
            consent_text="",
            is_consent_given=False,
            attribution=Attribution(first_touch={}, last_touch={}),
        )

    lead.refresh_from_db()
    assert mail.outbox == [] and lead.is_unsubscribed and not lead.can_confirm


# ---- Klaviyo → Aeyia ----


def _mark() -> datetime | None:
    sync = KlaviyoSuppressionSync.objects.first()
    return sync.synced_until if sync else None


def test_suppressions_mark_leads_with_the_mapped_reason_and_store_the_mark(local_klaviyo):
    base = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    leads = {
        reason: _confirmed(email=f"{reason.lower()}@example.org", confirmed_at=base)
        for reason in (
            "UNSUBSCRIBE",
            "HARD_BOUNCE",
            "SPAM_COMPLAINT",
            "INVALID_EMAIL",
            "USER_SUPPRESSED",
        )
    }
    pending = LeadFactory(email="pending@example.org")
    for minutes, reason in enumerate(leads, start=1):
        local_klaviyo.suppress(
            f"{reason.lower()}@example.org", reason=reason, at=base + timedelta(minutes=minutes)
        )
    local_klaviyo.suppress("Pending@Example.org", at=base + timedelta(minutes=10))
    local_klaviyo.suppress("stranger@example.org", at=base + timedelta(minutes=11))

    assert lead_suppressions_pull(gateway=LocalKlaviyo()) == 6

    expected = {
        "UNSUBSCRIBE": UnsubscribeReason.KLAVIYO,
        "HARD_BOUNCE": UnsubscribeReason.HARD_BOUNCE,
        "SPAM_COMPLAINT": UnsubscribeReason.SPAM_COMPLAINT,
        "INVALID_EMAIL": UnsubscribeReason.INVALID_EMAIL,
        "USER_SUPPRESSED": UnsubscribeReason.SUPPRESSED_IN_KLAVIYO,
    }
    for minutes, (reason, lead) in enumerate(leads.items(), start=1):
        lead.refresh_from_db()
        assert lead.unsubscribe_reason == expected[reason]
        assert lead.unsubscribed_at == base + timedelta(minutes=minutes)
        assert lead.is_unsubscribed
    pending.refresh_from_db()
    assert pending.is_unsubscribed
    assert _mark() == base + timedelta(minutes=11)
    assert not Lead.objects.filter(email="stranger@example.org").exists()
    # Coming back from Klaviyo, nothing is sent back to Klaviyo.
    assert local_klaviyo.requests_for("list_unsubscribe") == []

    # Idempotent: the next run asks only for newer suppressions and changes nothing.
    assert lead_suppressions_pull(gateway=LocalKlaviyo()) == 0
    last = local_klaviyo.requests_for("suppressions_since")[-1]
    assert last["filter"].endswith("2026-11-20T09:11:00.000000Z)")


def test_a_suppression_older_than_the_latest_confirmation_no_longer_applies(local_klaviyo):
    confirmed_at = timezone.now()
    lead = _confirmed(email="ada@example.org", confirmed_at=confirmed_at)
    local_klaviyo.suppress("ada@example.org", at=confirmed_at - timedelta(hours=1))

    assert lead_suppressions_pull(gateway=LocalKlaviyo()) == 0

    lead.refresh_from_db()
    assert lead.is_subscribed and lead.unsubscribed_at is None
    assert _mark() == confirmed_at - timedelta(hours=1)


class _FailsOnSecondPage:
    """Klaviyo answers the first page, then throttles."""

    def __init__(self):
        self.calls = 0

    def suppressions_since(self, *, since, cursor=""):
        self.calls += 1
        if self.calls == 2:
            raise KlaviyoError("throttled", status=429, retryable=True, retry_after=3)
        return LocalKlaviyo().suppressions_since(since=since, cursor=cursor)


def test_a_failure_mid_walk_keeps_the_applied_page_and_resumes_after_it(local_klaviyo):
    base = datetime(2026, 11, 1, tzinfo=UTC)
    for number in range(150):
        LeadFactory(email=f"p{number:03d}@example.org")
        local_klaviyo.suppress(f"p{number:03d}@example.org", at=base + timedelta(minutes=number))

    with pytest.raises(KlaviyoError):
        lead_suppressions_pull(gateway=_FailsOnSecondPage())

    assert Lead.objects.filter(unsubscribed_at__isnull=False).count() == 100
    assert _mark() == base + timedelta(minutes=99)

    assert lead_suppressions_pull(gateway=LocalKlaviyo()) == 50
    assert Lead.objects.filter(unsubscribed_at__isnull=False).count() == 150
    assert _mark() == base + timedelta(minutes=149)
    resumed = local_klaviyo.requests_for("suppressions_since")[-1]
    assert resumed["filter"].endswith("2026-11-01T01:39:00.000000Z)")


def test_the_beat_task_retries_a_429_after_retry_after(settings, retries, local_klaviyo):
    settings.KLAVIYO_MAX_RETRIES = 5
    lead = _confirmed(email="ada@example.org", confirmed_at=timezone.now() - timedelta(days=1))
    local_klaviyo.suppress("ada@example.org", reason="SPAM_COMPLAINT")
    local_klaviyo.fail_next("suppressions_since", status=429, retry_after=45)

    assert pull_klaviyo_suppressions.delay().get() == 1

    assert retries == [45]
    lead.refresh_from_db()
    assert lead.unsubscribe_reason == UnsubscribeReason.SPAM_COMPLAINT


def test_the_beat_schedule_pulls_every_thirty_minutes():
    entry = django_settings.CELERY_BEAT_SCHEDULE["pull-klaviyo-suppressions"]

    assert entry["task"] == pull_klaviyo_suppressions.name
    assert entry["schedule"].minute == {0, 30}


# ---- funnel and erasure ----


def test_the_funnel_counts_current_unsubscribes_by_reason():
    now = timezone.now()
    _confirmed(source="instagram")
    _confirmed(source="instagram", unsubscribed_at=now, unsubscribe_reason="aeyia")
    _confirmed(source="google.com", unsubscribed_at=now, unsubscribe_reason="hard_bounce")
    LeadFactory(source="google.com", unsubscribed_at=now, unsubscribe_reason="spam_complaint")
    # Unsubscribed, then confirmed again: subscribed.
    LeadFactory(
        source="instagram",
        unsubscribed_at=now - timedelta(days=2),
        unsubscribe_reason="klaviyo",
        confirmed_at=now - timedelta(days=1),
    )

    funnel = lead_funnel()

    by_reason = dict(funnel.total.unsubscribed_by_reason)
    assert funnel.total.confirmed == 4
    assert funnel.total.unsubscribed == 3
    assert by_reason["Unsubscribed on Aeyia"] == 1
    assert by_reason["Hard bounce"] == 1
    assert by_reason["Spam complaint"] == 1
    assert by_reason["Unsubscribed in Klaviyo"] == 0
    rows = {row.source: row for row in funnel.rows}
    assert (rows["instagram"].unsubscribed, rows["google.com"].unsubscribed) == (1, 2)


def _funnel_queries(editor_client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = editor_client.get("/cms/leads/funnel/?period=all")
    assert response.status_code == 200
    return len(captured)


def test_the_funnel_page_shows_unsubscribes_without_more_queries_per_lead(editor_client):
    reasons = [choice.value for choice in UnsubscribeReason]
    for number in range(10):
        LeadFactory(unsubscribed_at=timezone.now(), unsubscribe_reason=reasons[number % 7])
    _funnel_queries(editor_client)  # the first request also loads the session and site
    few = _funnel_queries(editor_client)
    for number in range(190):
        LeadFactory(unsubscribed_at=timezone.now(), unsubscribe_reason=reasons[number % 7])

    assert _funnel_queries(editor_client) == few
    html = editor_client.get("/cms/leads/funnel/?period=all").content.decode()
    assert "Unsubscribed, by reason" in html
    assert "Leads whose consent is withdrawn now: 200" in html


def test_erasure_still_removes_an_unsubscribed_lead_and_its_waiting_job_does_nothing(
    local_klaviyo, django_capture_on_commit_callbacks
):
    lead = _confirmed(email="ada@example.org")
    with django_capture_on_commit_callbacks(execute=False):
        lead_unsubscribe(lead=lead)

    with django_capture_on_commit_callbacks(execute=True):
        result = person_erase(email="ada@example.org", requested_by=None)

    assert result.leads_deleted == 1
    assert lead_klaviyo_unsubscribe.delay(lead.pk).get() is False
    assert local_klaviyo.deletions == ["ada@example.org"]


def test_the_leads_screen_shows_who_unsubscribed_and_why(staff_client):
    _confirmed(
        email="gone@example.org",
        unsubscribed_at=timezone.now(),
        unsubscribe_reason="spam_complaint",
    )
    _confirmed(
        email="back@example.org",
        unsubscribed_at=timezone.now() - timedelta(days=3),
        unsubscribe_reason="aeyia",
    )

    html = staff_client.get("/cms/leads/").content.decode()

    assert "(Spam complaint)" in html
    assert html.count("Unsubscribed on Aeyia") == 0  # re-confirmed since: it no longer applies
