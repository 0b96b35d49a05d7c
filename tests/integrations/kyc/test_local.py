"""The offline KYC adapter: rule-decided outcomes, deterministic ids, recorded calls, and
signed result webhooks delivered after commit to the configured receiver."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from integrations.kyc import get_kyc
from integrations.kyc.local import LocalKyc, decide
from integrations.kyc.signatures import verify
from integrations.kyc.types import KycError, KycOutcome, KycPerson, KycResult

received: list[tuple[bytes, str]] = []


def record(payload: bytes, header: str) -> None:
    received.append((payload, header))


def refuse(payload: bytes, header: str) -> None:
    raise RuntimeError("receiver is down")


@pytest.fixture(autouse=True)
def _clean(settings):
    settings.KYC_LOCAL_WEBHOOK_RECEIVER = f"{__name__}.record"
    settings.KYC_WEBHOOK_SECRET = "test-secret"
    LocalKyc.reset()
    received.clear()
    yield
    LocalKyc.reset()


def person(document: str = "P1234567", born: dt.date = dt.date(1980, 1, 1)) -> KycPerson:
    return KycPerson(
        given_name="Priya",
        family_name="Patel",
        date_of_birth=born,
        country="GB",
        document_number=document,
    )


TODAY = dt.date(2026, 6, 1)


@pytest.mark.parametrize(
    ("document", "born", "outcome", "reasons"),
    [
        ("P1234567", dt.date(1980, 1, 1), KycOutcome.PASSED, ()),
        (" fail-123", dt.date(1980, 1, 1), KycOutcome.FAILED, ("document_not_verified",)),
        ("REVIEW-1", dt.date(1980, 1, 1), KycOutcome.NEEDS_REVIEW, ("manual_review_requested",)),
        ("P1", dt.date(2008, 6, 2), KycOutcome.FAILED, ("under_minimum_age",)),
        ("P1", dt.date(2008, 6, 1), KycOutcome.PASSED, ()),
        ("REVIEW-1", dt.date(2010, 1, 1), KycOutcome.FAILED, ("under_minimum_age",)),
    ],
)
def test_rules(document, born, outcome, reasons):
    assert decide(person(document, born), today=TODAY) == (outcome, reasons)


def test_the_factory_returns_the_configured_adapter():
    assert isinstance(get_kyc(), LocalKyc)


@pytest.mark.django_db
def test_a_check_is_recorded_and_its_signed_result_delivered_after_commit(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        check = LocalKyc().start_check(reference="case-1", person=person("REVIEW-9"))
        assert received == []  # nothing before commit

    assert check.status == "pending" and check.check_id.startswith("kyc_chk_")
    assert [call.reference for call in LocalKyc.calls] == ["case-1"]
    payload, header = received[0]
    verify(payload, header, "test-secret")
    result = KycResult.from_json(payload)
    assert (result.check_id, result.reference, result.outcome) == (
        check.check_id,
        "case-1",
        KycOutcome.NEEDS_REVIEW,
    )
    assert json.loads(payload)["type"] == "kyc.check.completed"
    assert LocalKyc.deliveries[0].is_delivered


@pytest.mark.django_db
def test_ids_are_deterministic_and_a_repeated_reference_returns_the_same_check(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        first = LocalKyc().start_check(reference="case-2", person=person())
        again = LocalKyc().start_check(reference="case-2", person=person())
    LocalKyc.reset()
    with django_capture_on_commit_callbacks(execute=True):
        fresh = LocalKyc().start_check(reference="case-2", person=person())

    assert first == again == fresh
    assert len(received) == 2  # one per process lifetime of the reference, not per call


@pytest.mark.django_db
def test_a_receiver_that_fails_is_recorded_not_raised(settings, django_capture_on_commit_callbacks):
    settings.KYC_LOCAL_WEBHOOK_RECEIVER = f"{__name__}.refuse"
    with django_capture_on_commit_callbacks(execute=True):
        LocalKyc().start_check(reference="case-3", person=person())

    delivery = LocalKyc.deliveries[0]
    assert not delivery.is_delivered and "receiver is down" in delivery.error


@pytest.mark.parametrize(
    "bad",
    [
        KycPerson("", "Patel", dt.date(1980, 1, 1), "GB", "P1"),
        KycPerson("Priya", "Patel", dt.date(1980, 1, 1), "GBR", "P1"),
        KycPerson("Priya", "Patel", dt.date(1980, 1, 1), "GB", "  "),
        KycPerson("Priya", "Patel", timezone.now().date() + dt.timedelta(days=1), "GB", "P1"),
    ],
)
def test_bad_input_is_refused_at_once(bad):
    with pytest.raises(KycError):
        LocalKyc().start_check(reference="case-4", person=bad)
    assert LocalKyc.calls == []
