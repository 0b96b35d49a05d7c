"""GET /api/v1/practitioners/ and /api/v1/practitioners/{slug}/: only bookable
practitioners, every filter, stable 400 codes, pagination and a query count that does not
grow with the page."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from commerce.bookings.models import Booking
from marketplace.practitioners.models import PractitionerProfile
from tests.accounts.factories import UserFactory
from tests.commerce.bookings.factories import AvailabilityRuleFactory, DateOverrideFactory
from tests.marketplace.practitioners.factories import (
    ModalityFactory,
    PractitionerProfileFactory,
    ServiceFactory,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC)  # a Tuesday
MONDAY, TUESDAY, WEDNESDAY = "2030-01-07", "2030-01-08", "2030-01-09"
URL = "/api/v1/practitioners/"


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def directory():
    """Ada (active, online psychotherapy £60, Mondays), Ben (verified, in-person massage
    £90 and an inactive cheap service, Tuesdays), and two who must never show: Cal (draft)
    and Dee (suspended)."""
    psychotherapy = ModalityFactory(slug="psychotherapy", name="Psychotherapy")
    massage = ModalityFactory(slug="massage-therapy", name="Massage therapy")
    ModalityFactory(slug="reiki", name="Reiki")  # nobody offers it
    ada = PractitionerProfileFactory(
        slug="ada-lovelace",
        display_name="Ada Lovelace",
        bio="Integrative psychotherapist for anxiety and burnout.",
        languages="English, French",
    )
    ServiceFactory(practitioner=ada, modality=psychotherapy, name="Therapy", price=6000)
    AvailabilityRuleFactory(practitioner=ada, weekday=0)
    ben = PractitionerProfileFactory(
        slug="ben-okri",
        display_name="Ben Okri",
        status=PractitionerProfile.Status.VERIFIED,
        bio="Sports and remedial bodywork.",
    )
    ServiceFactory(
        practitioner=ben,
        modality=massage,
        name="Deep tissue",
        price=9000,
        is_online=False,
        location="Bristol",
    )
    ServiceFactory(
        practitioner=ben, modality=psychotherapy, name="Old offer", price=1000, is_active=False
    )
    AvailabilityRuleFactory(practitioner=ben, weekday=1)
    for slug, status in (("cal", "draft"), ("dee", "suspended")):
        hidden = PractitionerProfileFactory(slug=slug, display_name=f"Hidden {slug}", status=status)
        ServiceFactory(practitioner=hidden, modality=psychotherapy, price=100)
        AvailabilityRuleFactory(practitioner=hidden, weekday=0)
    return ada, ben


def slugs(response):
    assert response.status_code == 200, response.content
    return [row["slug"] for row in response.json()["results"]]


def test_lists_only_bookable_practitioners_by_name(api, directory):
    response = api.get(URL)
    assert slugs(response) == ["ada-lovelace", "ben-okri"]
    body = response.json()
    assert body["count"] == 2
    ada = body["results"][0]
    assert ada["display_name"] == "Ada Lovelace"
    assert ada["is_verified"] is True
    assert ada["languages"] == ["English", "French"]
    assert ada["modalities"] == [{"slug": "psychotherapy", "name": "Psychotherapy"}]
    assert ada["offers_online"] is True
    assert ada["offers_in_person"] is False
    assert ada["from_price"] == {"amount": 6000, "currency": "GBP"}
    assert ada["url"].endswith("/api/v1/practitioners/ada-lovelace/")
    assert ada["profile_url"].endswith("/practitioners/ada-lovelace/")
    # Ben's inactive psychotherapy service neither shows nor counts.
    assert body["results"][1]["modalities"] == [
        {"slug": "massage-therapy", "name": "Massage therapy"}
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "ada"}, ["ada-lovelace"]),
        ({"q": "BURNOUT"}, ["ada-lovelace"]),  # bio, any case
        ({"q": "massage"}, ["ben-okri"]),  # modality name
        ({"q": "  "}, ["ada-lovelace", "ben-okri"]),
        ({"q": "nobody"}, []),
        ({"modality": "psychotherapy"}, ["ada-lovelace"]),  # Ben's is inactive
        ({"modality": "massage-therapy"}, ["ben-okri"]),
        ({"modality": "reiki"}, []),
        ({"online": "true"}, ["ada-lovelace"]),
        ({"online": "1"}, ["ada-lovelace"]),
        ({"online": "false"}, ["ben-okri"]),
        ({"max_price": "6000"}, ["ada-lovelace"]),
        ({"max_price": "5999"}, []),  # Ben's £10 service is inactive
        ({"max_price": "9000"}, ["ada-lovelace", "ben-okri"]),
        ({"max_price": "9000", "online": "false", "q": "ben"}, ["ben-okri"]),
    ],
)
def test_filters(api, directory, params, expected):
    assert slugs(api.get(URL, params)) == expected


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"available_on": MONDAY}, ["ada-lovelace"]),
        ({"available_on": TUESDAY}, ["ben-okri"]),
        ({"available_on": WEDNESDAY}, []),
        # Ben's Tuesday 09:00-17:00 in London is Tuesday 23:00 to Wednesday 07:00 at +14.
        ({"available_on": WEDNESDAY, "tz": "Pacific/Kiritimati"}, ["ben-okri"]),
        ({"available_on": MONDAY, "modality": "massage-therapy"}, []),
    ],
)
def test_available_on_a_day(api, directory, params, expected):
    assert slugs(api.get(URL, params)) == expected


@time_machine.travel(NOW, tick=False)
def test_available_on_respects_overrides_notice_and_time_off(api, directory):
    ada, ben = directory
    DateOverrideFactory(practitioner=ada, date=dt.date(2030, 1, 7))  # closed that Monday
    assert slugs(api.get(URL, {"available_on": MONDAY})) == []
    DateOverrideFactory(
        practitioner=ben, date=dt.date(2030, 1, 7), start_time=dt.time(10), end_time=dt.time(11)
    )
    assert slugs(api.get(URL, {"available_on": MONDAY})) == ["ben-okri"]
    # Today (Tuesday) after 12:00 UTC Ben still has afternoon slots; with a day's notice not.
    assert slugs(api.get(URL, {"available_on": "2030-01-01"})) == ["ben-okri"]
    ben.services.update(minimum_notice_minutes=24 * 60)
    assert slugs(api.get(URL, {"available_on": "2030-01-01"})) == []


@time_machine.travel(NOW, tick=False)
def test_a_fully_booked_day_is_not_available(api, directory):
    ada, _ = directory
    service = ada.services.get()
    day_start = dt.datetime(2030, 1, 7, 9, tzinfo=dt.UTC)
    Booking.objects.create(
        client=UserFactory(),
        service=service,
        practitioner=ada,
        starts_at=day_start,
        ends_at=day_start + dt.timedelta(hours=8),
        blocked_start=day_start,
        blocked_end=day_start + dt.timedelta(hours=8),
        status="confirmed",
        pay_with="card",
        price_amount=6000,
        price_currency="GBP",
    )
    assert slugs(api.get(URL, {"available_on": MONDAY})) == []


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"max_price": "cheap"}, "invalid_price"),
        ({"max_price": "-1"}, "invalid_price"),
        ({"max_price": "1e3"}, "invalid_price"),
        ({"max_price": "60.00"}, "invalid_price"),
        ({"max_price": "9" * 40}, "invalid_price"),
        ({"max_price": "٣"}, "invalid_price"),  # a digit, but not an ASCII one
        ({"available_on": "tomorrow"}, "invalid_date"),
        ({"available_on": "2030-02-30"}, "invalid_date"),
        ({"available_on": "0001-01-01"}, "invalid_date"),
        ({"available_on": "9999-12-31"}, "invalid_date"),
        ({"available_on": "2030-1-7"}, "invalid_date"),
        ({"modality": "astrology"}, "unknown_modality"),
        ({"modality": "../../etc"}, "unknown_modality"),
        ({"modality": "x" * 500}, "unknown_modality"),
        ({"online": "maybe"}, "invalid_online"),
        ({"q": "x" * 201}, "invalid_query"),
        ({"q": "nul\x00byte"}, "invalid"),  # refused before the view (config.middleware)
        ({"available_on": MONDAY, "tz": "Mars/Olympus"}, "invalid_time_zone"),
        ({"available_on": MONDAY, "tz": "../../etc/passwd"}, "invalid_time_zone"),
        ({"limit": "0"}, "invalid_pagination"),
        ({"limit": "101"}, "invalid_pagination"),
        ({"limit": "ten"}, "invalid_pagination"),
        ({"offset": "-1"}, "invalid_pagination"),
        ({"offset": "9" * 30}, "invalid_pagination"),
    ],
)
def test_bad_filters_are_400_with_a_stable_code(api, directory, params, code):
    response = api.get(URL, params)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == code
    assert body["detail"]


def test_pagination_with_limit_and_offset(api, directory):
    first = api.get(URL, {"limit": 1})
    assert slugs(first) == ["ada-lovelace"]
    assert first.json()["count"] == 2
    assert "offset=1" in first.json()["next"]
    second = api.get(URL, {"limit": 1, "offset": 1})
    assert slugs(second) == ["ben-okri"]
    assert second.json()["next"] is None
    assert slugs(api.get(URL, {"offset": 50})) == []


def test_detail_of_a_bookable_practitioner(api, directory):
    response = api.get(f"{URL}ben-okri/")
    assert response.status_code == 200
    body = response.json()
    assert body["display_name"] == "Ben Okri"
    assert body["bio"] == "Sports and remedial bodywork."
    [service] = body["services"]  # the inactive one is not offered
    assert service["name"] == "Deep tissue"
    assert service["price"] == 9000
    assert service["is_online"] is False
    assert service["location"] == "Bristol"


@pytest.mark.parametrize("slug", ["cal", "dee", "nobody"])
def test_unbookable_or_unknown_practitioners_are_404(api, directory, slug):
    response = api.get(f"{URL}{slug}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_submitted_practitioners_are_404(api, directory):
    ada, _ = directory
    PractitionerProfile.objects.filter(pk=ada.pk).update(status="submitted")
    assert api.get(f"{URL}ada-lovelace/").status_code == 404
    assert slugs(api.get(URL)) == ["ben-okri"]


def _add_practitioners(count, modality):
    for _ in range(count):
        practitioner = PractitionerProfileFactory()
        ServiceFactory(practitioner=practitioner, modality=modality, price=5000)
        ServiceFactory(practitioner=practitioner, modality=modality, price=7000, is_online=False)
        AvailabilityRuleFactory(practitioner=practitioner, weekday=0)


def _queries(api, params):
    with CaptureQueriesContext(connection) as captured:
        response = api.get(URL, params)
    assert response.status_code == 200, response.content
    return len(captured), response.json()["count"]


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    "params",
    [
        {"limit": 100},
        {"limit": 100, "q": "practitioner", "modality": "psychotherapy", "online": "true"},
        {"limit": 100, "max_price": "6000", "available_on": MONDAY},
        {"limit": 100, "available_on": MONDAY, "tz": "America/New_York"},
    ],
)
def test_query_count_does_not_grow_with_the_practitioners_listed(api, params):
    modality = ModalityFactory(slug="psychotherapy", name="Psychotherapy")
    _add_practitioners(10, modality)
    few, listed_few = _queries(api, params)
    _add_practitioners(190, modality)
    many, listed_many = _queries(api, params)
    assert (listed_few, listed_many) == (10, 200)
    assert few == many
    assert many <= 12


def test_detail_query_count_does_not_grow_with_services(api, django_assert_max_num_queries):
    practitioner = PractitionerProfileFactory(slug="busy")
    modality = ModalityFactory()
    for _ in range(30):
        ServiceFactory(practitioner=practitioner, modality=modality)
    AvailabilityRuleFactory(practitioner=practitioner)
    with django_assert_max_num_queries(2):
        response = api.get(f"{URL}busy/")
    assert len(response.json()["services"]) == 30


def test_the_schema_documents_the_directory(api):
    response = api.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/practitioners/" in paths
    assert "/api/v1/practitioners/{slug}/" in paths
    parameters = {p["name"] for p in paths["/api/v1/practitioners/"]["get"]["parameters"]}
    assert {"q", "modality", "online", "max_price", "available_on", "limit", "offset"} <= parameters
