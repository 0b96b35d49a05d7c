import datetime as dt

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from marketplace.practitioners.models import PractitionerProfile
from tests.commerce.bookings.factories import AvailabilityRuleFactory
from tests.marketplace.practitioners.factories import PractitionerProfileFactory, ServiceFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC)


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def service():
    practitioner = PractitionerProfileFactory(slug="ada", time_zone="Europe/London")
    AvailabilityRuleFactory(practitioner=practitioner, weekday=0)  # Mondays 09–17
    return ServiceFactory(
        practitioner=practitioner,
        name="Initial consultation",
        accepts_credits=True,
        credit_price=4,
        modality__slug="counselling",
        modality__name="Counselling",
    )


def slots_url(slug="ada"):
    return f"/api/v1/practitioners/{slug}/slots/"


def test_services_of_a_bookable_practitioner(api, service):
    ServiceFactory(practitioner=service.practitioner, is_active=False)
    ServiceFactory()  # someone else's
    response = api.get("/api/v1/practitioners/ada/services/")
    assert response.status_code == 200
    [body] = response.json()
    assert body["id"] == service.pk
    assert body["modality"] == "counselling"
    assert body["modality_name"] == "Counselling"
    assert body["price"] == 6000
    assert body["currency"] == "GBP"
    assert body["accepts"] == ["card", "credits"]
    assert body["cancellation_tiers"][0] == {"hours_before": 24, "refund_percent": 100}


@pytest.mark.parametrize(
    "status",
    [PractitionerProfile.Status.DRAFT, PractitionerProfile.Status.SUSPENDED, "submitted"],
)
def test_unbookable_or_unknown_practitioners_are_404(api, service, status):
    PractitionerProfile.objects.filter(pk=service.practitioner.pk).update(status=status)
    for url in ("/api/v1/practitioners/ada/services/", slots_url()):
        response = api.get(
            url, {"service": service.pk, "start": "2030-01-07T00:00Z", "end": "2030-01-08T00:00Z"}
        )
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    assert api.get("/api/v1/practitioners/nobody/services/").status_code == 404


@time_machine.travel(NOW, tick=False)
def test_slots_in_utc_and_the_requested_zone(api, service):
    response = api.get(
        slots_url(),
        {
            "service": service.pk,
            "start": "2030-01-07T00:00:00Z",
            "end": "2030-01-08T00:00:00Z",
            "tz": "America/New_York",
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["time_zone"] == "America/New_York"
    assert body["practitioner_time_zone"] == "Europe/London"
    assert len(body["slots"]) == 8
    first = body["slots"][0]
    assert first["start"] == "2030-01-07T09:00:00Z"
    assert first["end"] == "2030-01-07T10:00:00Z"
    assert first["local_start"] == "2030-01-07T04:00:00-05:00"
    assert first["local_end"] == "2030-01-07T05:00:00-05:00"


@time_machine.travel(NOW, tick=False)
def test_start_with_an_offset_is_understood(api, service):
    response = api.get(
        slots_url(),
        {"service": service.pk, "start": "2030-01-07T10:00:00+01:00", "end": "2030-01-07T12:00Z"},
    )
    assert [slot["start"] for slot in response.json()["slots"]] == [
        "2030-01-07T09:00:00Z",
        "2030-01-07T10:00:00Z",
        "2030-01-07T11:00:00Z",
    ]


def test_service_of_another_practitioner_or_inactive_is_404(api, service):
    other = ServiceFactory()
    inactive = ServiceFactory(practitioner=service.practitioner, is_active=False)
    for service_id in (other.pk, inactive.pk, 999999):
        response = api.get(
            slots_url(),
            {"service": service_id, "start": "2030-01-07T00:00Z", "end": "2030-01-08T00:00Z"},
        )
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"start": "2030-01-07T00:00Z", "end": "2030-03-20T00:00Z"}, "invalid_range"),
        ({"start": "2030-01-08T00:00Z", "end": "2030-01-07T00:00Z"}, "invalid_range"),
        ({"start": "2030-01-07T00:00Z", "end": "2030-01-07T00:00Z"}, "invalid_range"),
        ({"start": "tomorrow", "end": "2030-01-07T00:00Z"}, "invalid_datetime"),
        ({"start": "2030-13-07T00:00Z", "end": "2030-01-08T00:00Z"}, "invalid_datetime"),
        ({"start": "2030-01-07T00:00", "end": "2030-01-08T00:00Z"}, "invalid_datetime"),
        (
            {"start": "2030-01-07T00:00Z", "end": "2030-01-08T00:00Z", "tz": "Mars/Base"},
            "invalid_time_zone",
        ),
        (
            {"start": "2030-01-07T00:00Z", "end": "2030-01-08T00:00Z", "tz": "../../etc/passwd"},
            "invalid_time_zone",
        ),
        ({"start": "2030-01-07T00:00Z"}, "invalid"),
        ({"service": "abc", "start": "2030-01-07T00:00Z", "end": "2030-01-08T00:00Z"}, "invalid"),
    ],
)
def test_bad_input_is_400_with_a_stable_code(api, service, params, code):
    response = api.get(slots_url(), {"service": service.pk, **params})
    assert response.status_code == 400, response.content
    assert response.json()["code"] == code


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    service_id=st.one_of(st.text(max_size=12), st.integers(-(2**70), 2**70).map(str)),
    start=st.one_of(st.text(max_size=40), st.datetimes(timezones=st.timezones()).map(str)),
    end=st.one_of(st.text(max_size=40), st.datetimes(timezones=st.timezones()).map(str)),
    tz=st.one_of(st.text(max_size=30), st.timezone_keys()),
)
def test_no_input_produces_a_server_error(api, service, service_id, start, end, tz):
    params = {"service": service_id, "start": start, "end": end, "tz": tz}
    params = {key: value.replace("\x00", "") for key, value in params.items()}
    response = api.get(slots_url(), params)
    assert response.status_code in {200, 400, 404}, response.content
