"""Beat re-drives stored KYC events left received (their job never ran) or failed, with
back-off and bounded attempts, each processed once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from events import backoff
from integrations.kyc.signatures import sign
from integrations.kyc.types import KycOutcome, KycResult
from marketplace.practitioners.models import KycEvent, VerificationCase
from marketplace.practitioners.tasks import redrive_kyc_events
from marketplace.practitioners.webhooks import kyc_events_redrive
from tests.marketplace.practitioners.factories import VerificationCaseFactory

pytestmark = pytest.mark.django_db

SECRET = "kyc-test-secret"


@pytest.fixture(autouse=True)
def _secret(settings):
    settings.KYC_WEBHOOK_SECRET = SECRET


def _deliver(client, *, reference="aeyia-case-1"):
    body = KycResult(
        event_id="evt_redrive_1",
        check_id="kyc_chk_1",
        reference=reference,
        outcome=KycOutcome.PASSED,
        occurred_at=timezone.now(),
        reasons=(),
    ).to_json()
    return client.post(
        "/webhooks/kyc/",
        data=body,
        content_type="application/json",
        HTTP_X_AEYIA_SIGNATURE=sign(body, SECRET),
    )


def _due_now():
    KycEvent.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_a_kyc_event_whose_job_never_ran_is_applied_by_the_redrive_once(
    client, django_capture_on_commit_callbacks
):
    case = VerificationCaseFactory(
        reference="aeyia-case-1",
        kyc_check_id="kyc_chk_1",
        kyc_status=VerificationCase.KycStatus.PENDING,
    )
    with django_capture_on_commit_callbacks(execute=False):
        assert _deliver(client).status_code == 200
    assert KycEvent.objects.get().status == KycEvent.Status.RECEIVED
    assert kyc_events_redrive() == 0  # inside its grace period

    _due_now()
    assert redrive_kyc_events.delay().get() == 1
    event = KycEvent.objects.get()
    assert (event.status, event.attempts) == (KycEvent.Status.PROCESSED, 1)
    case.refresh_from_db()
    assert case.kyc_status == VerificationCase.KycStatus.PASSED

    _due_now()
    assert kyc_events_redrive() == 0


def test_a_failing_kyc_event_backs_off_and_stops_after_the_last_attempt(
    client, django_capture_on_commit_callbacks
):
    # No case has this reference: processing fails on the row, never the request.
    with django_capture_on_commit_callbacks(execute=True):
        assert _deliver(client, reference="aeyia-unknown").status_code == 200
    event = KycEvent.objects.get()
    assert (event.status, event.attempts) == (KycEvent.Status.FAILED, 1)
    assert event.next_attempt_at > timezone.now()
    assert kyc_events_redrive() == 0

    _due_now()
    assert kyc_events_redrive() == 1
    event.refresh_from_db()
    assert (event.status, event.attempts) == (KycEvent.Status.FAILED, 2)

    KycEvent.objects.update(attempts=backoff.MAX_ATTEMPTS)
    _due_now()
    assert kyc_events_redrive() == 0
